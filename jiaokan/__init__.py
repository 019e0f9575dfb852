"""校勘 jiaokan: bilingual full-text search across the published versions of a document.

The tree keeps the design card's folders at the top (search/, indexer/, web/, corpus/); they install as
subpackages of this one (jiaokan.search, jiaokan.indexer, jiaokan.web, and the bundled corpus as jiaokan/corpus
package data), so nothing generic like `search` or `web` lands at the top of site-packages.
"""
