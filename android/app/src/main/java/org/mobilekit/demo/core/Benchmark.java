package org.mobilekit.demo.core;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The headless benchmark of one artifact, as the device runner's protocol asks for it (DESIGN.md,
 * "The benchmark protocol"): read the manifest, load the artifact by its {@code runtime}, feed the
 * bundle's sample inputs (every input, in its dtype: pictures, token ids, attention masks), time
 * {@code warmup} then {@code iterations} runs, check the output ({@link OutputCheck}: top-1 against
 * {@code sample.expected_top1} for classifiers, cosine against the host's FP32 output otherwise), and
 * build result.json (schemas/result.schema.json).
 *
 * <p>Plain Java: the Android activity only supplies {@link Probes} and writes the files with
 * {@link ResultWriter}. Call {@link #run} on a background thread.
 */
public final class Benchmark {
  /** The result format this class writes. */
  public static final String RESULT_SCHEMA = "mobilekit.result/1";
  private static final Pattern RUN_ID = Pattern.compile("^[A-Za-z0-9._-]{1,128}$");

  /** The intent extras of one case. */
  public static final class Config {
    public final int warmup;
    public final int iterations;
    public final int threads;
    public final boolean energy;

    /**
     * @param warmup untimed runs first (>= 0)
     * @param iterations timed runs (>= 1)
     * @param threads CPU threads for the runtime's compute pool (>= 0; 0 means {@link #defaultThreads});
     *     see {@link #resolvedThreads}
     * @param energy sample the battery during the timed runs
     */
    public Config(int warmup, int iterations, int threads, boolean energy) {
      if (warmup < 0 || iterations < 1 || threads < 0) {
        throw new IllegalArgumentException("bad intent extras: warmup=" + warmup + " iterations=" + iterations
            + " threads=" + threads + " (need warmup >= 0, iterations >= 1, threads >= 0)");
      }
      this.warmup = warmup;
      this.iterations = iterations;
      this.threads = threads;
      this.energy = energy;
    }

    /**
     * The one meaning of {@code threads}, for every runtime: the number of CPU threads that run the
     * model's operators (ExecuTorch: {@code Module.load(..., numThreads)}, i.e. the XNNPACK/threadpool
     * size; ONNX Runtime: the XNNPACK execution provider's {@code intra_op_num_threads} with ORT's own
     * intra-op pool at 1, or ORT's intra-op pool when it runs on its CPU provider). 0 resolves to
     * {@link #defaultThreads} here, and the resolved number is always passed explicitly, so no runtime
     * applies a default of its own.
     *
     * @param cores {@code Runtime.availableProcessors()}
     * @return threads >= 1
     */
    public int resolvedThreads(int cores) {
      return threads > 0 ? threads : defaultThreads(cores);
    }
  }

  /**
   * What {@code threads 0} means: half the cores, at least 1 (ExecuTorch's own rule: on big.LITTLE
   * phones using every core is often slower than the big cores alone).
   *
   * @param cores {@code Runtime.availableProcessors()}
   * @return max(1, cores / 2)
   */
  public static int defaultThreads(int cores) {
    return Math.max(1, cores / 2);
  }

  private final Probes probes;
  private final Map<String, String> ortConfig;
  private final double idleSeconds;

  /**
   * @param probes platform readings (Android: AndroidProbes)
   * @param ortConfig extra ONNX Runtime session entries (empty on phones)
   * @param idleSeconds how long to sample the idle battery before loading when energy is on
   */
  public Benchmark(Probes probes, Map<String, String> ortConfig, double idleSeconds) {
    this.probes = probes;
    this.ortConfig = ortConfig == null ? Collections.<String, String>emptyMap() : ortConfig;
    this.idleSeconds = idleSeconds;
  }

  /**
   * Checks a run id: it names a directory, so it must be a plain file name.
   *
   * @param runId the {@code run_id} extra
   * @return the run id
   * @throws IllegalArgumentException when it is missing or could escape the results directory
   */
  public static String checkRunId(String runId) {
    if (runId == null || !RUN_ID.matcher(runId).matches() || runId.equals(".") || runId.equals("..")) {
      throw new IllegalArgumentException("run_id must be 1-128 of [A-Za-z0-9._-], got " + quote(runId));
    }
    return runId;
  }

  /**
   * Checks an artifact name: a file in the bundle, never a path.
   *
   * @param artifact the {@code artifact} extra
   * @return the name
   * @throws IllegalArgumentException when it is missing or contains a path separator
   */
  public static String checkArtifactName(String artifact) {
    if (artifact == null || artifact.isEmpty() || artifact.contains("/") || artifact.contains("\\")
        || artifact.equals(".") || artifact.equals("..")) {
      throw new IllegalArgumentException("artifact must be a file name in the bundle, got " + quote(artifact));
    }
    return artifact;
  }

  private static String quote(String s) {
    return s == null ? "nothing" : "'" + s + "'";
  }

  /**
   * Runs one case.
   *
   * @param bundleDir the pushed bundle directory
   * @param artifactFile the artifact's file name
   * @param runId the run id (already checked)
   * @param cfg warmup, iterations, threads, energy
   * @return the result.json document
   * @throws Exception anything that stops the case: unknown artifact, load or inference failure; the
   *     caller writes it to the {@code error} file
   */
  public JSONObject run(File bundleDir, String artifactFile, String runId, Config cfg) throws Exception {
    String started = now();
    checkArtifactName(artifactFile);
    Manifest manifest = Manifest.load(bundleDir);
    Manifest.Artifact artifact = manifest.artifact(artifactFile);
    RuntimeVersions.check(artifact);
    List<InputTensor> inputs = manifest.readSampleInputs(bundleDir);
    // One float input (a picture): the runners' preallocated float path, as before multi-input bundles.
    float[] x = inputs.size() == 1 && "float32".equals(inputs.get(0).dtype) ? inputs.get(0).floats() : null;

    int cores = Runtime.getRuntime().availableProcessors();
    int threadsUsed = cfg.resolvedThreads(cores);
    JSONObject stateBefore = probes.deviceState();
    Integer statusBefore = probes.thermalStatus();
    Double tempBefore = probes.batteryTempC();
    EnergyMeter meter = cfg.energy ? probes.energyMeter() : null;
    List<BatterySample> idle = Collections.emptyList();
    if (meter != null && idleSeconds > 0) {
      meter.start();
      Thread.sleep((long) (idleSeconds * 1000));
      idle = meter.stop();
    }
    Integer pssBefore = probes.pssKb();
    long t0 = System.nanoTime();
    double[] lat = new double[cfg.iterations];
    float[] out = null;
    Integer pssAfterLoad;
    Integer pssAfterRun;
    double loadMs;
    List<BatterySample> samples = Collections.emptyList();
    long timedStartMs;
    long timedEndMs;
    String ranWith;
    try (Runner runner = Runners.open(bundleDir, manifest, artifact, threadsUsed, ortConfig)) {
      loadMs = (System.nanoTime() - t0) / 1e6;
      ranWith = runner.describe();
      pssAfterLoad = probes.pssKb();
      for (int i = 0; i < cfg.warmup; i++) {
        out = x != null ? runner.run(x) : runner.run(inputs);
      }
      if (meter != null) {
        meter.start();
      }
      timedStartMs = System.currentTimeMillis();
      for (int i = 0; i < cfg.iterations; i++) {
        long s = System.nanoTime();
        out = x != null ? runner.run(x) : runner.run(inputs);
        lat[i] = (System.nanoTime() - s) / 1e6;
      }
      timedEndMs = System.currentTimeMillis();
      if (meter != null) {
        samples = meter.stop();
      }
      pssAfterRun = probes.pssKb();
    }

    JSONObject r = new JSONObject();
    r.put("schema", RESULT_SCHEMA);
    r.put("run_id", runId);
    r.put("started_utc", started);
    r.put("finished_utc", now());
    r.put("app", probes.app());
    r.put("device", probes.device());
    JSONObject art = new JSONObject();
    art.put("file", artifact.file);
    art.put("sha256", sha256(manifest.artifactFile(bundleDir, artifact)));
    art.put("runtime", artifact.runtime);
    art.put("backend", artifact.backend);
    art.put("precision", artifact.precision);
    r.put("artifact", art);
    JSONObject config = new JSONObject();
    config.put("warmup", cfg.warmup);
    config.put("iterations", cfg.iterations);
    config.put("threads", cfg.threads);
    config.put("threads_used", threadsUsed);
    config.put("energy", cfg.energy);
    r.put("config", config);
    r.put("load_ms", round(loadMs, 4));
    JSONArray latency = new JSONArray();
    for (double v : lat) {
      latency.put(round(v, 6));
    }
    r.put("latency_ms", latency);
    Stats st = Stats.of(lat);
    JSONObject stats = new JSONObject();
    stats.put("p50", st.p50);
    stats.put("p90", st.p90);
    stats.put("p99", st.p99);
    stats.put("mean", st.mean);
    stats.put("std", st.std);
    stats.put("min", st.min);
    stats.put("max", st.max);
    r.put("stats", stats);
    JSONObject mem = new JSONObject();
    mem.put("pss_kb_before", orNull(pssBefore));
    mem.put("pss_kb_after_load", orNull(pssAfterLoad));
    // The largest of the three readings: PSS is not read inside the timed loop (it costs milliseconds).
    mem.put("pss_kb_peak", orNull(max(pssBefore, pssAfterLoad, pssAfterRun)));
    r.put("memory", mem);
    // Energy is not computed here: the app records raw readings and the timed window, and the device
    // runner's one algorithm (mobilekit.device_runner.power) turns them into mj_per_inference per timed
    // inference, with vendor unit/sign normalisation and charging detection from sysfs.
    r.put("energy", JSONObject.NULL);
    JSONObject window = new JSONObject();
    window.put("timed_start_ms", timedStartMs);
    window.put("timed_end_ms", timedEndMs);
    window.put("clock", "epoch_ms");
    r.put("timing", window);
    if (meter != null) {
      JSONObject ps = new JSONObject();
      ps.put("source", "app: BatteryManager + sysfs power_supply at ~10 Hz");
      ps.put("idle", samplesJson(idle));
      ps.put("timed", samplesJson(samples));
      r.put("power_samples", ps);
    }
    JSONObject state = new JSONObject();
    state.put("before", stateBefore);
    state.put("after", probes.deviceState());
    r.put("device_state", state);
    JSONObject thermal = new JSONObject();
    thermal.put("status_before", orNull(statusBefore));
    thermal.put("status_after", orNull(probes.thermalStatus()));
    thermal.put("battery_temp_c_before", orNull(tempBefore));
    thermal.put("battery_temp_c_after", orNull(probes.batteryTempC()));
    r.put("thermal", thermal);
    OutputCheck check = OutputCheck.of(manifest, out, manifest.readExpectedOutput(bundleDir));
    r.put("check", check.toJson());
    JSONArray errors = new JSONArray();
    if (artifact.lowFidelity()) {
      errors.put("warning: " + artifact.fidelityWarning());
    }
    if (!Boolean.TRUE.equals(stateBefore.opt("screen_on"))) {
      errors.put("warning: the screen was " + (stateBefore.isNull("screen_on") ? "in an unknown state" : "off")
          + " when the case started (the phone may have run it on little cores)");
    }
    if (Boolean.TRUE.equals(stateBefore.opt("power_save"))) {
      errors.put("warning: battery saver was on (CPU frequencies are capped)");
    }
    if (ranWith.contains("unavailable")) {
      // Not a failure, but the figures are not what was asked for: say why it was not accelerated.
      errors.put("ran with " + ranWith);
    }
    if (artifact.runtime.equals("executorch") && artifact.backend.equals("xnnpack")
        && !ranWith.toLowerCase(java.util.Locale.ROOT).contains("xnnpack") && !ranWith.contains("?")) {
      errors.put("the manifest says backend xnnpack, but forward uses " + ranWith);
    }
    if (check.problem() != null) {
      errors.put(check.problem());
    }
    r.put("errors", errors);
    return r;
  }

  /**
   * Everything the benchmark activity does for one {@code am start}, on the calling (background)
   * thread: check the extras, clear stale files, run the case, and write result.json + done, or error
   * with the message for anything thrown (bad extras, unknown artifact, load failure, OutOfMemoryError).
   *
   * @param bases directories that get {@code mobilekit/<run_id>/} (external files dir, files dir)
   * @param bundle the {@code bundle} extra
   * @param artifact the {@code artifact} extra
   * @param runId the {@code run_id} extra
   * @param warmup the {@code warmup} extra
   * @param iterations the {@code iterations} extra
   * @param threads the {@code threads} extra
   * @param energy the {@code energy} extra
   * @return "done", or "error: " and the message; a bad run_id writes nothing (it has no safe directory)
   */
  public String execute(List<File> bases, String bundle, String artifact, String runId, int warmup,
      int iterations, int threads, boolean energy) {
    ResultWriter writer = null;
    try {
      checkRunId(runId);
      List<File> dirs = new java.util.ArrayList<>();
      for (File base : bases) {
        dirs.add(ResultWriter.runDir(base, runId));
      }
      writer = new ResultWriter(dirs);
      writer.prepare();
      if (bundle == null || bundle.isEmpty()) {
        throw new IllegalArgumentException("missing intent extra: bundle (the pushed bundle directory)");
      }
      Config cfg = new Config(warmup, iterations, threads, energy);
      JSONObject result = run(new File(bundle), artifact, runId, cfg);
      writer.writeResult(result);
      return "done";
    } catch (Throwable t) {
      String message = ResultWriter.describe(t);
      if (writer != null) {
        writer.writeError(message);
      }
      return "error: " + message;
    }
  }

  private static JSONArray samplesJson(List<BatterySample> samples) throws org.json.JSONException {
    JSONArray a = new JSONArray();
    for (BatterySample s : samples) {
      a.put(s.toJson());
    }
    return a;
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  private static Object orNull(Object v) {
    return v == null ? JSONObject.NULL : v;
  }

  private static Integer max(Integer... values) {
    Integer best = null;
    for (Integer v : values) {
      if (v != null && (best == null || v > best)) {
        best = v;
      }
    }
    return best;
  }

  /**
   * Now as ISO-8601 UTC with milliseconds.
   *
   * @return e.g. 2026-11-22T04:40:12.123Z
   */
  public static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  /**
   * SHA-256 as lowercase hex, as the manifest's {@code sha256} is written (export/manifest.py
   * {@code sha256_path}): of a file's bytes; for a folder (an {@code .mlpackage}, an ONNX Runtime GenAI
   * model folder), of each file's relative path (forward slashes), a NUL byte and its bytes, files in
   * Python's {@code sorted(Path)} order (by path segments).
   *
   * @param file the file or folder
   * @return 64 hex digits
   * @throws IOException when it cannot be read
   */
  public static String sha256(File file) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (file.isDirectory()) {
      List<String[]> files = new java.util.ArrayList<>();
      listFiles(file, new java.util.ArrayList<String>(), files);
      files.sort(Benchmark::compareSegments);
      for (String[] segments : files) {
        md.update((String.join("/", segments)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        md.update((byte) 0);
        feed(md, new File(file, String.join(File.separator, segments)));
      }
    } else {
      feed(md, file);
    }
    StringBuilder sb = new StringBuilder();
    for (byte b : md.digest()) {
      sb.append(String.format("%02x", b));
    }
    return sb.toString();
  }

  private static void feed(MessageDigest md, File file) throws IOException {
    byte[] buf = new byte[1 << 16];
    try (InputStream in = new FileInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
  }

  private static void listFiles(File dir, List<String> prefix, List<String[]> out) {
    File[] children = dir.listFiles();
    if (children == null) {
      return;
    }
    for (File c : children) {
      List<String> path = new java.util.ArrayList<>(prefix);
      path.add(c.getName());
      if (c.isDirectory()) {
        listFiles(c, path, out);
      } else if (c.isFile()) {
        out.add(path.toArray(new String[0]));
      }
    }
  }

  /** Python's PurePosixPath ordering: segment by segment (String.compareTo, which is code-point order for BMP names), a prefix first. */
  static int compareSegments(String[] a, String[] b) {
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      int c = a[i].compareTo(b[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.length, b.length);
  }
}
