"""Part IV, sequence models (notebooks 30-38): recurrent cells, sequence generators, tagging metrics."""
