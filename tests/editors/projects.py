"""What the real-editor tests put in their temporary projects: the same for every editor."""

REFS_BIB = """% the project's own bibliography
@article{smith2020graphs,
  author  = {Smith, Ann},
  title   = {Sparse Graphs and Their Spectra},
  journal = {Journal of Graph Theory},
  year    = {2020},
}
"""
