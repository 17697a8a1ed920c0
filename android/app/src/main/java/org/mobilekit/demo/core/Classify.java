package org.mobilekit.demo.core;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the demo screen shows for one picture: an artifact run {@code runs} times on the same input
 * (median and p90 latency, not one early run), the top-k labels, and a side-by-side of every artifact
 * of the bundle this app runs (size, latency on this phone, its top-1 on this picture, whether that
 * agrees with the FP32 artifact, and the host's agreement and SQNR from the manifest). Plain Java: call
 * on a background thread.
 */
public final class Classify {
  private Classify() {}

  /** One artifact on one input. */
  public static final class Outcome {
    public final String file;
    public final String runtime;
    public final String precision;
    public final long bytes;
    public final String ranWith;
    public final float[] scores;
    public final int[] topK;
    public final Stats latency;
    public final String warning;
    public final String error;

    Outcome(Manifest.Artifact a, String ranWith, float[] scores, int[] topK, Stats latency, String error) {
      this.file = a.file;
      this.runtime = a.runtime;
      this.precision = a.precision;
      this.bytes = a.bytes;
      this.ranWith = ranWith;
      this.scores = scores;
      this.topK = topK;
      this.latency = latency;
      this.warning = a.fidelityWarning();
      this.error = error;
    }

    /**
     * The winning class.
     *
     * @return the top-1 index, or -1 when the run failed
     */
    public int top1() {
      return topK == null || topK.length == 0 ? -1 : topK[0];
    }
  }

  /**
   * Runs one loaded artifact {@code runs} times on {@code x} (plus one untimed warm-up run).
   *
   * @param runner the loaded artifact
   * @param manifest the bundle's manifest (output postprocess)
   * @param artifact the artifact's entry
   * @param x the preprocessed input
   * @param runs timed runs, >= 1
   * @return scores (softmaxed when the manifest says so), top-k and latency statistics
   * @throws Exception when inference fails
   */
  public static Outcome run(Runner runner, Manifest manifest, Manifest.Artifact artifact, float[] x, int runs)
      throws Exception {
    return run(runner, manifest, artifact, x, null, runs);
  }

  /**
   * Runs one loaded artifact {@code runs} times on every model input (plus one untimed warm-up run).
   *
   * @param runner the loaded artifact
   * @param manifest the bundle's manifest (output postprocess)
   * @param artifact the artifact's entry
   * @param inputs one tensor per manifest input (a text model's ids and mask)
   * @param runs timed runs, >= 1
   * @return outputs[0] (softmaxed when the manifest says so), its top-k and latency statistics
   * @throws Exception when inference fails
   */
  public static Outcome run(Runner runner, Manifest manifest, Manifest.Artifact artifact, List<InputTensor> inputs,
      int runs) throws Exception {
    return run(runner, manifest, artifact, null, inputs, runs);
  }

  private static Outcome run(Runner runner, Manifest manifest, Manifest.Artifact artifact, float[] x,
      List<InputTensor> inputs, int runs) throws Exception {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1");
    }
    float[] y = x != null ? runner.run(x) : runner.run(inputs);
    double[] lat = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      y = x != null ? runner.run(x) : runner.run(inputs);
      lat[i] = (System.nanoTime() - t0) / 1e6;
    }
    Manifest.Output out = manifest.outputs.get(0);
    float[] scores = out.softmax ? Tensors.softmax(y) : y;
    return new Outcome(artifact, runner.describe(), scores, Tensors.topK(scores, out.topK), Stats.of(lat), null);
  }

  /**
   * Every artifact this app runs, one after another on the same input (each loaded, run, closed).
   *
   * @param bundleDir the bundle
   * @param manifest its manifest
   * @param x the preprocessed input
   * @param threads threads (>= 1)
   * @param runs timed runs per artifact
   * @param ortConfig extra ORT session entries (empty on phones)
   * @return one outcome per artifact; a failure is an outcome with {@code error} set
   */
  public static List<Outcome> compareAll(File bundleDir, Manifest manifest, float[] x, int threads, int runs,
      Map<String, String> ortConfig) {
    return compareAll(bundleDir, manifest, x, null, threads, runs, ortConfig);
  }

  /**
   * Every artifact this app runs on the same multi-input sample (a text model's ids and mask).
   *
   * @param bundleDir the bundle
   * @param manifest its manifest
   * @param inputs one tensor per manifest input
   * @param threads threads (>= 1)
   * @param runs timed runs per artifact
   * @param ortConfig extra ORT session entries (empty on phones)
   * @return one outcome per artifact; a failure is an outcome with {@code error} set
   */
  public static List<Outcome> compareAll(File bundleDir, Manifest manifest, List<InputTensor> inputs, int threads,
      int runs, Map<String, String> ortConfig) {
    return compareAll(bundleDir, manifest, null, inputs, threads, runs, ortConfig);
  }

  private static List<Outcome> compareAll(File bundleDir, Manifest manifest, float[] x, List<InputTensor> inputs,
      int threads, int runs, Map<String, String> ortConfig) {
    List<Outcome> rows = new ArrayList<>();
    for (Manifest.Artifact a : manifest.artifacts) {
      if (!a.platforms.contains("android") || !(a.runtime.equals("executorch") || a.runtime.equals("onnxruntime"))) {
        continue;
      }
      try (Runner r = Runners.open(bundleDir, manifest, a, threads,
          ortConfig == null ? Collections.<String, String>emptyMap() : ortConfig)) {
        rows.add(run(r, manifest, a, x, inputs, runs));
      } catch (Throwable t) {
        rows.add(new Outcome(a, "", null, null, null, ResultWriter.describe(t).split("\n")[0]));
      }
    }
    return rows;
  }

  /**
   * The side-by-side table as text, with each row's top-1 compared to the FP32 artifact of the same
   * runtime (or any FP32 artifact) on this picture.
   *
   * @param rows from {@link #compareAll}
   * @param manifest the manifest (host validation figures)
   * @param labels class labels (may be empty)
   * @return a fixed-width table
   */
  public static String table(List<Outcome> rows, Manifest manifest, List<String> labels) {
    int reference = -1;
    for (Outcome o : rows) {
      if ("fp32".equals(o.precision) && o.error == null) {
        reference = o.top1();
        break;
      }
    }
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.US, "%-34s %8s %8s %8s  %-14s %5s %6s %6s%n", "artifact", "KiB", "p50 ms",
        "p90 ms", "top-1", "=fp32", "host", "SQNR"));
    for (Outcome o : rows) {
      Manifest.Artifact a = manifest.artifact(o.file);
      String host = Double.isNaN(a.top1Agreement) ? "-" : String.format(Locale.US, "%.3f", a.top1Agreement);
      String sqnr = Double.isNaN(a.sqnrDb) ? "-" : String.format(Locale.US, "%.1f", a.sqnrDb);
      if (o.error != null) {
        sb.append(String.format(Locale.US, "%-34s %8d  failed: %s%n", o.file, o.bytes / 1024, o.error));
        continue;
      }
      String label = label(labels, o.top1());
      sb.append(String.format(Locale.US, "%-34s %8d %8.2f %8.2f  %-14s %5s %6s %6s%s%n", o.file, o.bytes / 1024,
          o.latency.p50, o.latency.p90, label.length() > 14 ? label.substring(0, 14) : label,
          reference < 0 ? "-" : (o.top1() == reference ? "yes" : "NO"), host, sqnr,
          o.warning != null ? "  (low fidelity)" : ""));
    }
    return sb.toString();
  }

  /**
   * A label for a class index.
   *
   * @param labels the bundle's labels
   * @param index a class index
   * @return the label, or "class N"
   */
  public static String label(List<String> labels, int index) {
    return index >= 0 && index < labels.size() ? labels.get(index) : "class " + index;
  }
}
