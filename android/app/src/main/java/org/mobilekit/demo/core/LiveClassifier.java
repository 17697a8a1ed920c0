package org.mobilekit.demo.core;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * The camera screen's work for one frame, in plain Java: frame to tensor ({@link CameraFrame#toTensor}),
 * one inference, the top labels, and the figures the screen shows under the preview (frames per second
 * over the last second or so, preprocess and inference milliseconds). Not thread-safe: one analysis
 * thread calls {@link #classify}; the runner belongs to that thread.
 */
public final class LiveClassifier {
  /** What the screen shows for one frame. */
  public static final class Result {
    /** The top classes, best first (at most {@link LiveClassifier#TOP}). */
    public final int[] top;
    /** Their scores (softmaxed when the manifest says so). */
    public final float[] scores;
    /** Their labels (the index as text when the bundle has none). */
    public final String[] labels;
    public final double preprocessMs;
    public final double inferenceMs;
    /** Frames classified per second, over the recent window; NaN for the first frame. */
    public final double fps;

    Result(int[] top, float[] scores, String[] labels, double preprocessMs, double inferenceMs, double fps) {
      this.top = top;
      this.scores = scores;
      this.labels = labels;
      this.preprocessMs = preprocessMs;
      this.inferenceMs = inferenceMs;
      this.fps = fps;
    }

    /**
     * The overlay text: one line per label with its score, then FPS and milliseconds.
     *
     * @param ranWith the runner's description (runtime, backend, threads)
     * @return e.g. "tabby  0.812\n...\n9.8 FPS  inference 41.2 ms  preprocess 6.3 ms\nexecutorch ..."
     */
    public String describe(String ranWith) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < top.length; i++) {
        sb.append(String.format(Locale.US, "%-22s %.3f%n", labels[i], scores[i]));
      }
      sb.append(Double.isNaN(fps) ? "-- FPS" : String.format(Locale.US, "%.1f FPS", fps));
      sb.append(String.format(Locale.US, "  inference %.1f ms  preprocess %.1f ms", inferenceMs, preprocessMs));
      if (ranWith != null) {
        sb.append('\n').append(ranWith);
      }
      return sb.toString();
    }
  }

  /** Labels shown per frame. */
  public static final int TOP = 3;

  private final Runner runner;
  private final Manifest manifest;
  private final Manifest.Input input;
  private final Preprocess preprocess;
  private final List<String> labels;
  private final FpsMeter fps = new FpsMeter(1000);

  /**
   * @param runner the loaded artifact (owned by the caller, used from the analysis thread)
   * @param manifest the bundle's manifest; inputs[0] must be an image with a preprocess
   * @param labels the bundle's labels (may be empty)
   */
  public LiveClassifier(Runner runner, Manifest manifest, List<String> labels) {
    Manifest.Input in = manifest.inputs.get(0);
    if (in.preprocess == null || manifest.inputs.size() != 1) {
      throw new IllegalArgumentException(manifest.name + " does not take one picture (inputs[0] has no image "
          + "preprocess): the camera screen classifies image models");
    }
    this.runner = runner;
    this.manifest = manifest;
    this.input = in;
    this.preprocess = new Preprocess(in.preprocess);
    this.labels = labels;
  }

  /**
   * Classifies one frame.
   *
   * @param frame the camera frame (its planes are read here; close the Image afterwards)
   * @return the top labels and the figures
   * @throws Exception when inference fails
   */
  public Result classify(CameraFrame frame) throws Exception {
    long t0 = System.nanoTime();
    float[] x = frame.toTensor(preprocess, input.layout);
    long t1 = System.nanoTime();
    float[] y = runner.run(x);
    long t2 = System.nanoTime();
    Manifest.Output out = manifest.outputs.get(0);
    float[] scores = out.softmax ? Tensors.softmax(y) : y;
    int[] top = Tensors.topK(scores, Math.min(TOP, scores.length));
    float[] s = new float[top.length];
    String[] names = new String[top.length];
    for (int i = 0; i < top.length; i++) {
      s[i] = scores[top[i]];
      names[i] = Classify.label(labels, top[i]);
    }
    return new Result(top, s, names, (t1 - t0) / 1e6, (t2 - t1) / 1e6, fps.tick(System.nanoTime() / 1e6));
  }

  /** Frames per second over a sliding window of frame times. */
  public static final class FpsMeter {
    private final double windowMs;
    private final ArrayDeque<Double> times = new ArrayDeque<>();

    /**
     * @param windowMs how far back frames count
     */
    public FpsMeter(double windowMs) {
      this.windowMs = windowMs;
    }

    /**
     * Records a frame.
     *
     * @param nowMs the frame's time (any monotonic clock in ms, fractions kept)
     * @return frames per second over the window: (frames - 1) / (newest - oldest); NaN until two frames
     */
    public double tick(double nowMs) {
      times.addLast(nowMs);
      while (times.size() > 2 && nowMs - times.peekFirst() > windowMs) {
        times.removeFirst();
      }
      double span = nowMs - times.peekFirst();
      return times.size() < 2 || span <= 0 ? Double.NaN : (times.size() - 1) * 1000.0 / span;
    }
  }
}
