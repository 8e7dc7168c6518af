"""Part VII, the machine-learning toolbox (notebooks 46-51): statistics, trees, ensembles, clustering, anomalies."""
