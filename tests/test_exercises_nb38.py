"""Exercise checks of notebook 38 accept the solutions and their valid variants, and name each mistake."""

import numpy as np
import pytest

from utils.exercises import nb38_forecasting as ex


def todo(*args, **kwargs):
    raise NotImplementedError


def crash(*args, **kwargs):
    return 1 / 0


def seasonal_naive(history, horizon, season=12):
    history = np.asarray(history, dtype=float)
    last_season = history[-season:]
    return np.array([last_season[h % season] for h in range(horizon)])


def forecast_errors(y_true, y_pred):
    errors = np.asarray(y_true) - np.asarray(y_pred)
    return float(np.mean(np.abs(errors))), float(100 * np.mean(np.abs(errors / np.asarray(y_true))))


def make_windows(series, window, horizon):
    series = np.asarray(series)
    count = len(series) - window - horizon + 1
    X = np.array([series[i:i + window] for i in range(count)])
    y = np.array([series[i + window:i + window + horizon] for i in range(count)])
    return X, y


@pytest.mark.parametrize("evaluate, answer", [
    (ex.evaluate_seasonal_naive, seasonal_naive),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: list(seasonal_naive(h, n, season))),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.tile(np.asarray(h)[-season:],
                                                                 n // season + 1)[:n]),
    (ex.evaluate_forecast_errors, forecast_errors),
    (ex.evaluate_forecast_errors, lambda t, p: list(forecast_errors(t, p))),
    (ex.evaluate_forecast_errors, lambda t, p: np.array(forecast_errors(t, p), dtype=np.float32)),
    (ex.evaluate_make_windows, make_windows),
    (ex.evaluate_make_windows, lambda s, w, h: [a.tolist() for a in make_windows(s, w, h)]),
    (ex.evaluate_make_windows, lambda s, w, h: tuple(a[..., None] for a in make_windows(s, w, h))),
    (ex.evaluate_make_windows,
     lambda s, w, h: (make_windows(s, w, h)[0], make_windows(s, w, h)[1].ravel() if h == 1
                      else make_windows(s, w, h)[1])),
])
def test_right_answers_and_valid_variants_pass(evaluate, answer):
    result = evaluate(answer)
    assert result.passed, result.message
    assert result.message.startswith("✅")


def test_make_windows_accepts_tensorflow_tensors():
    import tensorflow as tf

    result = ex.evaluate_make_windows(lambda s, w, h: tuple(tf.constant(a) for a in make_windows(s, w, h)))
    assert result.passed, result.message


def _shifted(shift):
    def make(series, window, horizon):
        series = np.asarray(series)
        count = len(series) - window - horizon + 1
        X = np.array([series[i:i + window] for i in range(count)])
        y = np.array(
            [[series[min(i + window + shift + k, len(series) - 1)] for k in range(horizon)]
             for i in range(count)])
        return X, y
    return make


@pytest.mark.parametrize("evaluate, wrong, hint", [
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.full(n, np.asarray(h)[-1]), "a lag of 1"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.asarray(h)[-season - 1:][np.arange(n) % (season + 1)],
     "season + 1 steps back"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.asarray(h)[-season + 1:][np.arange(n) % (season - 1)],
     "season - 1 steps back"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.asarray(h)[-season:][:n], "start the last season over"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.asarray(h)[np.arange(n) % season], "not the first"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: np.full(n, np.mean(np.asarray(h)[-season:])),
     "moving-average forecast"),
    (ex.evaluate_seasonal_naive, lambda h, n, season=12: "soon", "expected a number"),
    (ex.evaluate_seasonal_naive, crash, "ZeroDivisionError"),
    (ex.evaluate_seasonal_naive, todo, "not written yet"),
    (ex.evaluate_forecast_errors, lambda t, p: (np.mean(np.asarray(t) - p), 100 * np.mean((np.asarray(t) - p) / t)),
     "absolute value"),
    (ex.evaluate_forecast_errors, lambda t, p: (forecast_errors(t, p)[0], forecast_errors(t, p)[1] / 100),
     "in percent"),
    (ex.evaluate_forecast_errors,
     lambda t, p: (forecast_errors(t, p)[0], 100 * np.mean(np.abs((np.asarray(t) - p) / p))), "TRUE value"),
    (ex.evaluate_forecast_errors,
     lambda t, p: (np.mean((np.asarray(t) - p) ** 2), forecast_errors(t, p)[1]), "mean SQUARED error"),
    (ex.evaluate_forecast_errors,
     lambda t, p: (np.sqrt(np.mean((np.asarray(t) - p) ** 2)), forecast_errors(t, p)[1]), "root-mean-square"),
    (ex.evaluate_forecast_errors,
     lambda t, p: (np.sum(np.abs(np.asarray(t) - p)), 100 * np.sum(np.abs((np.asarray(t) - p) / t))),
     "do not just add them up"),
    (ex.evaluate_forecast_errors, lambda t, p: None, "return"),
    (ex.evaluate_make_windows, lambda s, w, h: tuple(a[:-1] for a in make_windows(s, w, h)),
     "dropped the last window"),
    (ex.evaluate_make_windows, _shifted(-1), "not at the window's last value"),
    (ex.evaluate_make_windows, _shifted(1), "you skipped one"),
    (ex.evaluate_make_windows, lambda s, w, h: tuple(a[::w] for a in make_windows(s, w, h)), "slide by ONE step"),
    (ex.evaluate_make_windows, lambda s, w, h: make_windows(s, w, h)[0], "pair (X, y)"),
    (ex.evaluate_make_windows, lambda s, w, h: (make_windows(s, w, h)[0].T, make_windows(s, w, h)[1]), "shape"),
    (ex.evaluate_make_windows, lambda s, w, h: None, "return"),
    (ex.evaluate_make_windows, crash, "ZeroDivisionError"),
    (ex.evaluate_make_windows, todo, "not written yet"),
])
def test_mistakes_get_their_hint(evaluate, wrong, hint):
    result = evaluate(wrong)
    assert not result.passed
    assert hint in result.message, result.message
    assert "Traceback" not in result.message


def test_make_windows_messages_speak_of_X_and_y():
    result = ex.evaluate_make_windows(lambda s, w, h: tuple(a[:-1] for a in make_windows(s, w, h)))
    assert "X of shape (6, 4)" in result.message and "expected (7, 4)" in result.message, result.message
    result = ex.evaluate_make_windows(_shifted(1))
    assert "different y" in result.message, result.message


def test_points_and_not_allowed_cover_every_exercise():
    assert set(ex.POINTS) == set(ex.NOT_ALLOWED) == {"seasonal_naive", "forecast_errors", "make_windows"}
    assert ex.evaluate_make_windows(make_windows).max_points == 2


@pytest.mark.parametrize("wrong, hint", [
    (lambda h, n, season=12: np.asarray(h)[len(h) - season - 1 + np.arange(n) % season], "one step too early"),
    (lambda h, n, season=12: np.asarray(h)[len(h) - season + (np.arange(n) + 1) % season], "one step too late"),
])
def test_seasonal_naive_off_by_one_steps(wrong, hint):
    result = ex.evaluate_seasonal_naive(wrong)
    assert not result.passed and hint in result.message, result.message


def test_forecast_errors_returning_one_number_is_told_to_return_both():
    result = ex.evaluate_forecast_errors(lambda t, p: float(np.mean(np.abs(np.asarray(t) - p))))
    assert "(mae, mape)" in result.message, result.message


def test_make_windows_with_ragged_targets_is_explained():
    def ragged(series, window, horizon):
        X = [series[i:i + window] for i in range(len(series) - window + 1)]
        return np.array(X), [series[i + window:i + window + horizon] for i in range(len(X))]

    result = ex.evaluate_make_windows(ragged)
    assert "rectangular" in result.message and "Traceback" not in result.message, result.message
