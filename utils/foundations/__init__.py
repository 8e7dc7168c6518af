"""Part I, foundations (notebooks 01-06): networks by hand, derivatives, linear algebra, TensorBoard."""
