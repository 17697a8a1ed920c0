package org.mobilekit.demo.core;

import java.util.Arrays;

/**
 * Latency statistics with numpy's definitions, so the phone's figures read like the host's:
 * percentiles by linear interpolation ({@code np.percentile}'s default) and the population standard
 * deviation ({@code np.std}, ddof 0).
 */
public final class Stats {
  public final double p50;
  public final double p90;
  public final double p99;
  public final double mean;
  public final double std;
  public final double min;
  public final double max;

  private Stats(double p50, double p90, double p99, double mean, double std, double min, double max) {
    this.p50 = p50;
    this.p90 = p90;
    this.p99 = p99;
    this.mean = mean;
    this.std = std;
    this.min = min;
    this.max = max;
  }

  /**
   * Computes the statistics of a sample.
   *
   * @param values at least one value (milliseconds in the result)
   * @return the statistics
   * @throws IllegalArgumentException when {@code values} is empty
   */
  public static Stats of(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no values: at least one iteration is needed for statistics");
    }
    double[] s = values.clone();
    Arrays.sort(s);
    double sum = 0;
    for (double v : s) {
      sum += v;
    }
    double mean = sum / s.length;
    double sq = 0;
    for (double v : s) {
      sq += (v - mean) * (v - mean);
    }
    return new Stats(percentile(s, 50), percentile(s, 90), percentile(s, 99), mean, Math.sqrt(sq / s.length),
        s[0], s[s.length - 1]);
  }

  /**
   * The q-th percentile of sorted values by linear interpolation between closest ranks.
   *
   * @param sorted values in ascending order, at least one
   * @param q percentile in [0, 100]
   * @return the interpolated value
   */
  public static double percentile(double[] sorted, double q) {
    double pos = q / 100.0 * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    double t = pos - lo;
    double a = sorted[lo];
    double b = sorted[hi];
    // numpy's _lerp: exact at both ends
    return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
  }
}
