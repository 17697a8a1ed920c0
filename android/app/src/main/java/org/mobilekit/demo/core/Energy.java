package org.mobilekit.demo.core;

import java.util.List;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Turns BatteryManager readings into the result's {@code energy} object (method {@code batterymanager}).
 *
 * <p>Power is current x voltage per reading, averaged; energy is that average over the timed
 * iterations' wall time. The idle baseline (readings taken before the model was loaded) is subtracted
 * for {@code mj_per_inference}. BatteryManager current is positive into the battery by contract, but
 * vendors differ, so on battery the magnitude is taken as the draw. With a charger connected the
 * battery current includes the charger: the figures are kept but marked invalid with the reason.
 *
 * <p>{@code ENERGY_COUNTER} is sampled too ({@link BatterySample#energyNwh}) but not used: where phones
 * have it at all, its resolution is usually too coarse for a run of a few seconds.
 */
public final class Energy {
  private Energy() {}

  /**
   * Computes the energy figures.
   *
   * @param idle readings before loading (may be empty: no baseline)
   * @param run readings during the timed iterations
   * @param runSeconds wall time of the timed iterations
   * @param iterations number of timed iterations
   * @param charging whether a charger was connected
   * @return the {@code energy} object of result.json
   * @throws JSONException never for finite inputs
   */
  public static JSONObject estimate(List<BatterySample> idle, List<BatterySample> run, double runSeconds,
      int iterations, boolean charging) throws JSONException {
    JSONObject e = new JSONObject();
    e.put("method", "batterymanager");
    double[] runAvg = averages(run);
    double[] idleAvg = averages(idle);
    e.put("samples", run.size());
    if (runAvg == null) {
      e.put("valid", false);
      e.put("invalid_reason", "the phone reported no battery current/voltage during the run ("
          + run.size() + " readings)");
      return e;
    }
    double watts = runAvg[2];
    double joules = watts * runSeconds;
    e.put("avg_current_ma", round(runAvg[0] / 1000.0, 3));
    e.put("avg_voltage_v", round(runAvg[1] / 1000.0, 4));
    e.put("joules", round(joules, 6));
    if (idleAvg != null) {
      double baseW = idleAvg[2];
      e.put("baseline_mw", round(baseW * 1000.0, 3));
      e.put("mj_per_inference", round(Math.max(0.0, joules - baseW * runSeconds) * 1000.0 / iterations, 6));
    } else {
      e.put("baseline_mw", JSONObject.NULL);
      e.put("mj_per_inference", round(joules * 1000.0 / iterations, 6));
    }
    e.put("valid", !charging);
    e.put("invalid_reason", charging
        ? "a charger is connected: the battery current includes the charger (unplug, e.g. use adb over Wi-Fi)"
        : JSONObject.NULL);
    return e;
  }

  /** {mean |current| µA, mean voltage mV, mean power W} over readings that have both, or null. */
  private static double[] averages(List<BatterySample> samples) {
    double ua = 0;
    double mv = 0;
    double w = 0;
    int n = 0;
    for (BatterySample s : samples) {
      if (s.currentUa == null || s.voltageMv == null) {
        continue;
      }
      double amps = Math.abs(s.currentUa) / 1e6;
      double volts = s.voltageMv / 1e3;
      ua += Math.abs(s.currentUa);
      mv += s.voltageMv;
      w += amps * volts;
      n++;
    }
    return n == 0 ? null : new double[] {ua / n, mv / n, w / n};
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
