"""utils.sequences.forecasting: the CO2 data, decomposition, ADF, baselines, metrics, windows, walk-forward, explorer."""

import numpy as np
import pandas as pd
import pytest

from utils.sequences import forecasting


@pytest.fixture(scope="module")
def co2():
    return forecasting.monthly_co2()


def test_monthly_co2_is_complete_and_monthly(co2):
    assert isinstance(co2.index, pd.DatetimeIndex) and co2.index.freqstr == "MS"
    assert len(co2) == 526 and co2.index[0] == pd.Timestamp("1958-03-01")
    assert co2.index[-1] == pd.Timestamp("2001-12-01") and not co2.isna().any()
    weekly = forecasting.weekly_co2()
    assert co2["1990-01"].iloc[0] == pytest.approx(weekly["1990-01"].mean())
    assert 310 < co2.min() < 320 and 365 < co2.max() < 380


def test_centered_moving_average_matches_statsmodels_and_handles_odd_seasons(co2):
    from statsmodels.tsa.seasonal import seasonal_decompose

    trend = forecasting.centered_moving_average(co2.to_numpy(), 12)
    theirs = seasonal_decompose(co2, period=12).trend.to_numpy()
    assert np.isnan(trend[:6]).all() and np.isnan(trend[-6:]).all()
    np.testing.assert_allclose(trend[6:-6], theirs[6:-6], rtol=0, atol=1e-9)
    odd = forecasting.centered_moving_average(np.arange(10.0), 3)
    np.testing.assert_allclose(odd[1:-1], np.arange(1.0, 9.0))
    assert np.isnan(forecasting.centered_moving_average(np.arange(5.0), 12)).all()


def test_autocorrelation_matches_statsmodels():
    from statsmodels.tsa.stattools import acf

    values = np.random.default_rng(0).normal(size=200).cumsum()
    np.testing.assert_allclose(forecasting.autocorrelation(values, 20), acf(values, nlags=20), atol=1e-12)
    with pytest.raises(ValueError, match="below the series length"):
        forecasting.autocorrelation(values[:5], 5)


def test_adf_test_tells_a_random_walk_from_noise():
    rng = np.random.default_rng(1)
    noise = rng.normal(size=400)
    assert forecasting.adf_test(noise)["pvalue"] < 0.01
    walk = forecasting.adf_test(noise.cumsum())
    assert walk["pvalue"] > 0.05 and walk["critical_5%"] < 0
    assert set(walk) == {"statistic", "pvalue", "lags", "observations", "critical_5%"}


def test_adf_test_raises_no_warning(recwarn):
    forecasting.adf_test(np.random.default_rng(2).normal(size=100))
    assert not [w for w in recwarn if issubclass(w.category, (FutureWarning, DeprecationWarning))]


def test_baselines():
    history = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert forecasting.naive_forecast(history, 3).tolist() == [7.0, 7.0, 7.0]
    assert forecasting.seasonal_naive_forecast(history, 5, season=3).tolist() == [5.0, 6.0, 7.0, 5.0, 6.0]
    assert forecasting.seasonal_naive_forecast(history, 2, season=7).tolist() == [1.0, 2.0]
    assert forecasting.moving_average_forecast(history, 2, window=4).tolist() == [5.5, 5.5]


@pytest.mark.parametrize("call, message", [
    (lambda: forecasting.seasonal_naive_forecast(np.arange(5.0), 3, season=12), "at least one season"),
    (lambda: forecasting.seasonal_naive_forecast(np.arange(24.0), 0), "horizon must be a positive integer"),
    (lambda: forecasting.seasonal_naive_forecast(np.arange(24.0), 2.0), "horizon must be a positive integer"),
    (lambda: forecasting.naive_forecast(np.array([1.0, np.nan]), 2), "NaN"),
    (lambda: forecasting.naive_forecast(np.ones((2, 3)), 2), "1-D"),
    (lambda: forecasting.naive_forecast([], 2), "empty"),
    (lambda: forecasting.naive_forecast(["a", "b"], 2), "sequence of numbers"),
    (lambda: forecasting.moving_average_forecast(np.arange(3.0), 2, window=4), "at least window"),
    (lambda: forecasting.mae([1.0, 2.0], [1.0]), "same shape"),
    (lambda: forecasting.mape([0.0, 2.0], [1.0, 2.0]), "undefined"),
    (lambda: forecasting.make_windows(np.arange(5.0), 4, 2), "holds no window"),
    (lambda: forecasting.walk_forward_origins(20, 15, 12), "no origin"),
    (lambda: forecasting.future_values(np.arange(20.0), [15], 12), "origins must lie"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_metrics():
    truth, guess = np.array([[2.0, 4.0], [5.0, 10.0]]), np.array([[1.0, 5.0], [4.0, 12.0]])
    assert forecasting.mae(truth, guess) == pytest.approx(1.25)
    assert forecasting.mape(truth, guess) == pytest.approx(100 * (0.5 + 0.25 + 0.2 + 0.2) / 4)


def test_make_windows_matches_keras():
    import keras

    series = np.arange(30.0) ** 1.5
    X, y = forecasting.make_windows(series, 5, 3)
    assert X.shape == (23, 5) and y.shape == (23, 3)
    assert X[4].tolist() == series[4:9].tolist() and y[4].tolist() == series[9:12].tolist()
    assert y[-1, -1] == series[-1]
    dataset = keras.utils.timeseries_dataset_from_array(series, None, sequence_length=8, batch_size=7)
    windows = np.concatenate([batch.numpy() for batch in dataset])
    np.testing.assert_allclose(windows, np.hstack([X, y]))


def test_walk_forward_never_shows_the_future():
    series = np.arange(40.0)
    origins = forecasting.walk_forward_origins(len(series), 30, 4)
    assert origins.tolist() == list(range(30, 37))
    seen = []

    def spy(history, horizon):
        seen.append(len(history))
        return np.full(horizon, history[-1])

    table = forecasting.walk_forward(series, origins, 4, spy)
    assert seen == origins.tolist() and table.shape == (7, 4)
    np.testing.assert_allclose(table[:, 0], series[origins - 1])
    np.testing.assert_allclose(forecasting.future_values(series, origins, 4)[:, 0], series[origins])
    with pytest.raises(ValueError, match="expected \\(4,\\)"):
        forecasting.walk_forward(series, origins, 4, lambda history, horizon: history[-3:])


def test_state_space_forecasts_equal_one_filter_per_origin(co2):
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = co2.to_numpy()[-200:]
    results = SARIMAX(y[:150], order=(0, 1, 1), seasonal_order=(0, 1, 1, 12),
                      concentrate_scale=True).fit(disp=False)
    origins = forecasting.walk_forward_origins(len(y), 150, 6)
    fast = forecasting.state_space_forecasts(results, y, origins, 6)
    for k in (0, 20, len(origins) - 1):
        np.testing.assert_allclose(fast[k], results.apply(y[:origins[k]]).forecast(6), atol=1e-8)


def _explorer(co2):
    y = co2.to_numpy()
    origins = forecasting.walk_forward_origins(len(y), 442, 12)
    forecasts = {"seasonal naive": forecasting.walk_forward(y, origins, 12, forecasting.seasonal_naive_forecast),
                 "naive": forecasting.walk_forward(y, origins, 12, forecasting.naive_forecast)}
    return forecasting.forecast_explorer(co2.index, y, origins, forecasts, origin=int(origins[3])), origins


def test_explorer_redraws_and_reports_each_model(co2):
    explorer, origins = _explorer(co2)
    picture, text = explorer.view.value, explorer.status.value
    assert "data up to 1995-03" in text and "seasonal naive" in text and "naive" in text
    explorer.set(origin=int(origins[40]))
    assert explorer.view.value != picture and explorer.status.value != text
    assert "data up to 1998-04" in explorer.status.value
    assert "Interactive explorer" in explorer.snapshot_html()


def test_explorer_rejects_bad_arguments(co2):
    y = co2.to_numpy()
    origins = forecasting.walk_forward_origins(len(y), 442, 12)
    with pytest.raises(ValueError, match="shape"):
        forecasting.forecast_explorer(co2.index, y, origins, {"bad": np.zeros((3, 12))})
    with pytest.raises(ValueError, match="not one of the walk-forward origins"):
        forecasting.forecast_explorer(co2.index, y, origins, {"ok": np.zeros((len(origins), 12))}, origin=5)
    with pytest.raises(ValueError, match="same length"):
        forecasting.forecast_explorer(co2.index[:-1], y, origins, {"ok": np.zeros((len(origins), 12))})
    with pytest.raises(ValueError, match="must map model names"):
        forecasting.forecast_explorer(co2.index, y, origins, {})
