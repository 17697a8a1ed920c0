package org.mobilekit.demo.core;

import java.util.Locale;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * result.json's {@code check}: did the phone compute what the host computed for the bundle's sample?
 * A classification bundle compares top-1 classes ({@code compared: "top1"}); any other bundle (an
 * embedder, a detector's raw head) compares outputs[0] with the host's eager FP32 output by cosine
 * similarity ({@code compared: "output"}, ok when cosine >= {@code sample.min_cosine}). The cosine and
 * the largest absolute difference are reported whenever the bundle has an expected output.
 */
public final class OutputCheck {
  /** top1, output, or null when there is nothing to compare with. */
  public final String compared;
  public final Integer expectedTop1;
  public final Integer gotTop1;
  /** Cosine similarity of outputs[0] with the expected output, or null. */
  public final Double cosine;
  /** Largest |got - expected|, or null. */
  public final Double maxAbsErr;
  public final double minCosine;
  /** The verdict, or null when nothing was compared. */
  public final Boolean ok;

  private OutputCheck(String compared, Integer expectedTop1, Integer gotTop1, Double cosine, Double maxAbsErr,
      double minCosine, Boolean ok) {
    this.compared = compared;
    this.expectedTop1 = expectedTop1;
    this.gotTop1 = gotTop1;
    this.cosine = cosine;
    this.maxAbsErr = maxAbsErr;
    this.minCosine = minCosine;
    this.ok = ok;
  }

  /**
   * Judges one output.
   *
   * @param manifest the bundle's manifest (outputs[0].kind, sample.expected_top1, sample.min_cosine)
   * @param got outputs[0] as the phone computed it, or null when nothing ran
   * @param expected the host's eager FP32 outputs[0], or null when the bundle has none
   * @return the check
   */
  public static OutputCheck of(Manifest manifest, float[] got, float[] expected) {
    boolean classification = "classification".equals(manifest.outputs.get(0).kind);
    Integer gotTop1 = got == null || got.length == 0 ? null : Tensors.argmax(got);
    Integer wantTop1 = manifest.expectedTop1;
    Double cos = null;
    Double err = null;
    if (got != null && expected != null) {
      if (got.length != expected.length) {
        throw new IllegalStateException("outputs[0] has " + got.length + " values, the bundle's expected output has "
            + expected.length + ": the artifact and the manifest disagree on the output shape");
      }
      cos = cosine(got, expected);
      err = maxAbsErr(got, expected);
    }
    double floor = manifest.minCosine;
    if ((classification || cos == null) && wantTop1 != null) {
      return new OutputCheck("top1", wantTop1, gotTop1, cos, err, floor,
          gotTop1 == null ? null : wantTop1.intValue() == gotTop1.intValue());
    }
    if (cos != null) {
      return new OutputCheck("output", wantTop1, classification ? gotTop1 : null, cos, err, floor, cos >= floor);
    }
    return new OutputCheck(null, wantTop1, classification ? gotTop1 : null, null, null, floor, null);
  }

  /**
   * Cosine similarity in double precision; 1 when both vectors are all zeros, 0 when only one is.
   *
   * @param a a vector
   * @param b a vector of the same length
   * @return a value in [-1, 1]
   */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    if (na == 0 && nb == 0) {
      return 1;
    }
    if (na == 0 || nb == 0) {
      return 0;
    }
    return Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
  }

  /**
   * The L2 norm of a vector.
   *
   * @param a the vector
   * @return sqrt(sum a[i]^2)
   */
  public static double norm(float[] a) {
    double s = 0;
    for (float v : a) {
      s += (double) v * v;
    }
    return Math.sqrt(s);
  }

  /**
   * The largest absolute difference.
   *
   * @param a a vector
   * @param b a vector of the same length
   * @return max |a[i] - b[i]|
   */
  public static double maxAbsErr(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs((double) a[i] - b[i]));
    }
    return m;
  }

  /**
   * The {@code check} object of result.json.
   *
   * @return expected_top1, got_top1, ok, cosine, max_abs_err, min_cosine, compared
   * @throws JSONException never for finite values
   */
  public JSONObject toJson() throws JSONException {
    JSONObject o = new JSONObject();
    o.put("expected_top1", orNull(expectedTop1));
    o.put("got_top1", orNull(gotTop1));
    o.put("ok", orNull(ok));
    o.put("cosine", cosine == null || !Double.isFinite(cosine) ? JSONObject.NULL : (Object) round(cosine));
    o.put("max_abs_err", maxAbsErr == null || !Double.isFinite(maxAbsErr) ? JSONObject.NULL : (Object) round(maxAbsErr));
    o.put("min_cosine", minCosine);
    o.put("compared", orNull(compared));
    return o;
  }

  /**
   * What went wrong, for result.json's {@code errors}.
   *
   * @return a sentence, or null when the check passed or compared nothing
   */
  public String problem() {
    if (!Boolean.FALSE.equals(ok)) {
      return null;
    }
    if ("top1".equals(compared)) {
      return "top-1 mismatch: the phone computed class " + gotTop1 + ", the host expected " + expectedTop1
          + " for the bundle's sample input";
    }
    return String.format(Locale.US, "output mismatch: cosine %.6f with the host's eager FP32 output is below "
        + "min_cosine %.4f (max abs err %.4g) for the bundle's sample input", cosine, minCosine, maxAbsErr);
  }

  private static double round(double v) {
    return Math.round(v * 1e9) / 1e9;
  }

  private static Object orNull(Object v) {
    return v == null ? JSONObject.NULL : v;
  }
}
