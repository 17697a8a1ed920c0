package org.mobilekit.demo.core;

import java.io.File;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * The headless LLM benchmark case (docs/llm-contract.md, "The LLM benchmark case"): load the artifact
 * once, run {@code warmup} untimed generations of the first prompt, then {@code repetitions} timed
 * generations of each prompt, and build result.json with {@code config.kind = "llm"} and the {@code llm}
 * section (one entry per prompt and repetition: token counts, prefill and decode tok/s, TTFT, the wall-clock
 * window for energy, peak PSS, the text and, where the runtime gives them, the token ids), with
 * {@code latency_ms} holding each generation's decode milliseconds per token. The app computes no energy:
 * it records raw battery readings over the timed generations, and the runner turns them into
 * {@code mj_per_token}. Plain Java: the activity supplies {@link Probes} and writes the files.
 */
public final class LlmBenchmark {
  /** The LLM case's intent extras. */
  public static final class Config {
    public final String prompts;
    public final String promptIds;
    public final int maxNewTokens;
    public final int warmup;
    public final int repetitions;
    public final int threads;
    public final boolean energy;

    /**
     * @param prompts the prompts file in the bundle (null: the manifest's llm.prompts)
     * @param promptIds comma-separated ids, or null/empty for all
     * @param maxNewTokens new tokens per generation (0: the prompts file's max_new_tokens)
     * @param warmup untimed generations first (>= 0)
     * @param repetitions timed generations per prompt (>= 1)
     * @param threads CPU threads (0: half the cores)
     * @param energy sample the battery during the timed generations
     */
    public Config(String prompts, String promptIds, int maxNewTokens, int warmup, int repetitions, int threads,
        boolean energy) {
      if (maxNewTokens < 0 || warmup < 0 || repetitions < 1 || threads < 0) {
        throw new IllegalArgumentException("bad intent extras: max_new_tokens=" + maxNewTokens + " warmup=" + warmup
            + " repetitions=" + repetitions + " threads=" + threads
            + " (need max_new_tokens >= 0, warmup >= 0, repetitions >= 1, threads >= 0)");
      }
      this.prompts = prompts;
      this.promptIds = promptIds;
      this.maxNewTokens = maxNewTokens;
      this.warmup = warmup;
      this.repetitions = repetitions;
      this.threads = threads;
      this.energy = energy;
    }
  }

  private final Probes probes;
  private final double idleSeconds;

  /**
   * @param probes platform readings
   * @param idleSeconds idle battery sampling before loading when energy is on
   */
  public LlmBenchmark(Probes probes, double idleSeconds) {
    this.probes = probes;
    this.idleSeconds = idleSeconds;
  }

  /**
   * Runs one LLM case.
   *
   * @param bundleDir the pushed bundle
   * @param artifactFile the artifact (a .pte or an ORT GenAI folder)
   * @param runId the checked run id
   * @param cfg the extras
   * @return the result.json document
   * @throws Exception anything that stops the case (written to the error file by {@link #execute})
   */
  public JSONObject run(File bundleDir, String artifactFile, String runId, Config cfg) throws Exception {
    String started = Benchmark.now();
    Benchmark.checkArtifactName(artifactFile);
    Manifest manifest = Manifest.load(bundleDir);
    if (manifest.llm == null) {
      throw new IllegalArgumentException(manifest.name + " is not an LLM bundle (no llm block): run it without "
          + "--es mode llm");
    }
    Manifest.Artifact artifact = manifest.artifact(artifactFile);
    String promptsName = cfg.prompts == null || cfg.prompts.isEmpty() ? manifest.llm.prompts
        : BundlePaths.check("prompts extra", cfg.prompts, true);
    LlmPrompts prompts = LlmPrompts.load(BundlePaths.resolve(bundleDir, "llm.prompts", promptsName));
    List<LlmPrompts.Prompt> chosen = prompts.select(cfg.promptIds);
    int maxNew = cfg.maxNewTokens > 0 ? cfg.maxNewTokens : prompts.maxNewTokens;
    int threadsUsed = cfg.threads > 0 ? cfg.threads : Benchmark.defaultThreads(Runtime.getRuntime().availableProcessors());

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
    JSONArray generations = new JSONArray();
    List<Double> msPerToken = new ArrayList<>();
    List<Double> prefill = new ArrayList<>();
    List<Double> decode = new ArrayList<>();
    List<Double> ttft = new ArrayList<>();
    List<Double> generated = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<BatterySample> samples = Collections.emptyList();
    Integer pssAfterLoad;
    Integer pssPeak = pssBefore;
    long timedStart;
    long timedEnd;
    String runtimeApi;
    double loadMs;
    Integer engineThreads;
    String ranWith;
    try (LlmEngine engine = LlmEngines.open(bundleDir, manifest, artifact, threadsUsed)) {
      loadMs = engine.loadMs();
      runtimeApi = engine.runtimeApi();
      engineThreads = engine.threadsUsed();
      ranWith = engine.describe();
      pssAfterLoad = probes.pssKb();
      pssPeak = max(pssPeak, pssAfterLoad);
      LlmPrompts.Prompt first = chosen.get(0);
      for (int i = 0; i < cfg.warmup; i++) {
        engine.generate(first.render(manifest.llm), first.promptTokens, maxNew, null);
      }
      if (meter != null) {
        meter.start();
      }
      timedStart = System.currentTimeMillis();
      for (LlmPrompts.Prompt p : chosen) {
        String rendered = p.render(manifest.llm);
        if (p.rendered != null && !p.rendered.equals(rendered)) {
          problems.add("prompt " + p.id + ": the manifest's prompt_format renders a different string than "
              + "prompts.json's rendered (the app uses its own rendering)");
        }
        for (int r = 0; r < cfg.repetitions; r++) {
          LlmGeneration g = engine.generate(rendered, p.promptTokens, maxNew, null);
          Integer pss = probes.pssKb();
          pssPeak = max(pssPeak, pss);
          JSONObject check = check(g, p.expectedFor(artifact.file, maxNew), maxNew);
          if (check != null && !check.getBoolean("ok")) {
            problems.add("prompt " + p.id + " repetition " + r + ": the greedy text differs from the host's ("
                + check.optInt("matched_tokens", -1) + " leading tokens equal)");
          }
          generations.put(g.toJson(p.id, r, pss, check));
          if (g.decodeMsPerToken() != null) {
            msPerToken.add(g.decodeMsPerToken());
          }
          addIf(prefill, g.prefillTokS);
          addIf(decode, g.decodeTokS);
          addIf(ttft, g.ttftMs);
          generated.add((double) g.generatedTokens);
        }
      }
      timedEnd = System.currentTimeMillis();
      if (meter != null) {
        samples = meter.stop();
      }
    }

    JSONObject r = new JSONObject();
    r.put("schema", Benchmark.RESULT_SCHEMA);
    r.put("run_id", runId);
    r.put("started_utc", started);
    r.put("finished_utc", Benchmark.now());
    r.put("app", probes.app());
    r.put("device", probes.device());
    JSONObject art = new JSONObject();
    art.put("file", artifact.file);
    art.put("sha256", Benchmark.sha256(manifest.artifactFile(bundleDir, artifact)));
    art.put("runtime", artifact.runtime);
    art.put("backend", artifact.backend);
    art.put("precision", artifact.precision);
    r.put("artifact", art);
    JSONObject config = new JSONObject();
    config.put("kind", "llm");
    config.put("warmup", cfg.warmup);
    config.put("iterations", chosen.size() * cfg.repetitions);
    config.put("repetitions", cfg.repetitions);
    config.put("threads", cfg.threads);
    if (engineThreads != null) {
      config.put("threads_used", engineThreads);
    }
    config.put("energy", cfg.energy);
    config.put("max_new_tokens", maxNew);
    config.put("prompts", promptsName);
    if (cfg.promptIds != null && !cfg.promptIds.trim().isEmpty()) {
      JSONArray ids = new JSONArray();
      for (LlmPrompts.Prompt p : chosen) {
        ids.put(p.id);
      }
      config.put("prompt_ids", ids);
    }
    r.put("config", config);
    r.put("load_ms", Benchmark.round(loadMs, 4));
    JSONArray latency = new JSONArray();
    for (double v : msPerToken) {
      latency.put(Benchmark.round(v, 6));
    }
    r.put("latency_ms", latency);
    JSONObject stats = new JSONObject();
    if (!msPerToken.isEmpty()) {
      Stats st = Stats.of(toArray(msPerToken));
      stats.put("p50", st.p50);
      stats.put("p90", st.p90);
      stats.put("p99", st.p99);
      stats.put("mean", st.mean);
      stats.put("std", st.std);
      stats.put("min", st.min);
      stats.put("max", st.max);
    } else {
      problems.add("no generation produced a second token: no decode rate, latency_ms is empty");
    }
    r.put("stats", stats);
    JSONObject mem = new JSONObject();
    mem.put("pss_kb_before", orNull(pssBefore));
    mem.put("pss_kb_after_load", orNull(pssAfterLoad));
    mem.put("pss_kb_peak", orNull(pssPeak));
    r.put("memory", mem);
    r.put("energy", JSONObject.NULL);
    JSONObject window = new JSONObject();
    window.put("timed_start_ms", timedStart);
    window.put("timed_end_ms", timedEnd);
    window.put("clock", "epoch_ms");
    r.put("timing", window);
    if (meter != null) {
      JSONObject ps = new JSONObject();
      ps.put("source", "app: BatteryManager + sysfs power_supply at ~10 Hz");
      JSONArray a = new JSONArray();
      for (BatterySample s : idle) {
        a.put(s.toJson());
      }
      ps.put("idle", a);
      JSONArray t = new JSONArray();
      for (BatterySample s : samples) {
        t.put(s.toJson());
      }
      ps.put("timed", t);
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
    JSONObject llm = new JSONObject();
    llm.put("runtime_api", runtimeApi);
    llm.put("load_ms", Benchmark.round(loadMs, 4));
    llm.put("generations", generations);
    JSONObject summary = new JSONObject();
    summary.put("prefill_tok_s", median(prefill));
    summary.put("decode_tok_s", median(decode));
    summary.put("ttft_ms", median(ttft));
    summary.put("mj_per_token", JSONObject.NULL);
    Object gen = median(generated);
    summary.put("generated_tokens", gen == JSONObject.NULL ? JSONObject.NULL : (int) Math.round((Double) gen));
    llm.put("summary", summary);
    r.put("llm", llm);
    r.put("check", JSONObject.NULL); // per generation: llm.generations[].check
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
    if (engineThreads == null) {
      errors.put("warning: " + runtimeApi + " takes no thread count; threads=" + cfg.threads
          + " was not passed (ExecuTorch's threadpool sized itself)");
    }
    for (String p : problems) {
      errors.put(p);
    }
    r.put("errors", errors);
    return r;
  }

  /**
   * The app's comparison of one generation with the host's greedy output (the runner makes its own).
   *
   * @param g the generation
   * @param expected the host's output for this artifact, or null
   * @param maxNew the budget asked for
   * @return {expected_tokens, matched_tokens (token ids, when the runtime gives them), text_equal, ok}, or null
   * @throws org.json.JSONException never
   */
  static JSONObject check(LlmGeneration g, LlmPrompts.Expected expected, int maxNew) throws org.json.JSONException {
    if (expected == null) {
      return null;
    }
    JSONObject c = new JSONObject();
    int want = Math.min(expected.tokenIds.length, maxNew);
    c.put("expected_tokens", want);
    boolean sameBudget = expected.maxNewTokens == maxNew;
    boolean textEqual = sameBudget ? g.text.equals(expected.text) : expected.text.startsWith(g.text);
    c.put("text_equal", textEqual);
    boolean ok = textEqual;
    if (g.tokenIds != null) {
      int m = 0;
      while (m < Math.min(want, g.tokenIds.length) && g.tokenIds[m] == expected.tokenIds[m]) {
        m++;
      }
      c.put("matched_tokens", m);
      ok = m == want && (!sameBudget || g.tokenIds.length == expected.tokenIds.length);
    }
    c.put("ok", ok);
    return c;
  }

  /**
   * Everything BenchmarkActivity does for one LLM {@code am start}, on the calling (background) thread:
   * check the extras, clear stale files, run, write result.json + done or error.
   *
   * @param bases the results base directories
   * @param bundle the bundle extra
   * @param artifact the artifact extra
   * @param runId the run_id extra
   * @param cfg the LLM extras (null when they are bad: then {@code badExtras} says why)
   * @param badExtras the reason the extras could not make a config, or null
   * @return "done" or "error: " and the message
   */
  public String execute(List<File> bases, String bundle, String artifact, String runId, Config cfg, String badExtras) {
    ResultWriter writer = null;
    try {
      Benchmark.checkRunId(runId);
      List<File> dirs = new ArrayList<>();
      for (File base : bases) {
        dirs.add(ResultWriter.runDir(base, runId));
      }
      writer = new ResultWriter(dirs);
      writer.prepare();
      if (badExtras != null) {
        throw new IllegalArgumentException(badExtras);
      }
      if (bundle == null || bundle.isEmpty()) {
        throw new IllegalArgumentException("missing intent extra: bundle (the pushed bundle directory)");
      }
      writer.writeResult(run(new File(bundle), artifact, runId, cfg));
      return "done";
    } catch (Throwable t) {
      String message = ResultWriter.describe(t);
      if (writer != null) {
        writer.writeError(message);
      }
      return "error: " + message;
    }
  }

  private static void addIf(List<Double> to, Double v) {
    if (v != null) {
      to.add(v);
    }
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
  }

  private static Object median(List<Double> v) {
    return v.isEmpty() ? JSONObject.NULL : Benchmark.round(Stats.of(toArray(v)).p50, 4);
  }

  private static Object orNull(Object v) {
    return v == null ? JSONObject.NULL : v;
  }

  private static Integer max(Integer a, Integer b) {
    return a == null ? b : b == null ? a : Integer.valueOf(Math.max(a, b));
  }
}
