package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.app.Application;
import android.content.Intent;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import org.json.JSONObject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * The real BenchmarkActivity on the JVM (Robolectric, Android 15 framework), started with the device
 * runner's exact extras (device_runner/bench.py: --es bundle, --es artifact, --es run_id, --ei warmup,
 * --ei iterations, --ei threads, --ez energy) over a real exported bundle: the ONNX Runtime artifact runs
 * through the desktop ORT jar, the activity writes result.json + done (or error) and finishes.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class BenchmarkActivityTest {
  private static Intent runnerIntent(String bundle, String artifact, String runId, int warmup, int iterations,
      int threads, boolean energy) {
    Application app = RuntimeEnvironment.getApplication();
    return new Intent(app, BenchmarkActivity.class)
        .putExtra("bundle", bundle)
        .putExtra("artifact", artifact)
        .putExtra("run_id", runId)
        .putExtra("warmup", warmup)
        .putExtra("iterations", iterations)
        .putExtra("threads", threads)
        .putExtra("energy", energy);
  }

  private static File runDir(String runId) {
    return new File(new File(RuntimeEnvironment.getApplication().getExternalFilesDir(null), "mobilekit"), runId);
  }

  @Test
  public void runnerExtrasRunTheOrtArtifactAndWriteAResult() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    String runId = "robo-bench-001";
    ActivityController<BenchmarkActivity> c = Robolectric.buildActivity(BenchmarkActivity.class,
        runnerIntent(bundle.getPath(), ActivityTestSupport.onnxArtifact(bundle), runId, 2, 10, 1, true)).setup();
    File dir = runDir(runId);
    ActivityTestSupport.idleUntil("done or error", 120_000,
        () -> new File(dir, "done").isFile() || new File(dir, "error").isFile());
    assertFalse(new File(dir, "error").isFile() ? ActivityTestSupport.read(new File(dir, "error")) : "",
        new File(dir, "error").isFile());
    ActivityTestSupport.idleUntil("finish()", 10_000, () -> c.get().isFinishing());
    JSONObject r = new JSONObject(ActivityTestSupport.read(new File(dir, "result.json")));
    assertEquals(runId, r.getString("run_id"));
    assertEquals(10, r.getJSONArray("latency_ms").length());
    assertEquals("onnxruntime", r.getJSONObject("artifact").getString("runtime"));
    assertEquals("android", r.getJSONObject("app").getString("platform"));
    assertTrue(r.getJSONObject("device_state").has("before"));
    assertTrue(r.has("power_samples"));
    assertTrue(r.getJSONObject("power_samples").getJSONArray("timed").length() >= 1);
    // the internal copy the runner reads with run-as
    File internal = new File(new File(RuntimeEnvironment.getApplication().getFilesDir(), "mobilekit"), runId);
    assertTrue(new File(internal, "done").isFile());
    File out = ActivityTestSupport.results("robolectric/" + runId);
    Files.copy(new File(dir, "result.json").toPath(), new File(out, "result.json").toPath(),
        StandardCopyOption.REPLACE_EXISTING);
    JSONObject check = r.getJSONObject("check");
    System.out.println("FIGURE robolectric_benchmark got_top1=" + check.opt("got_top1") + " expected_top1="
        + check.opt("expected_top1") + " p50_ms=" + r.getJSONObject("stats").getDouble("p50"));
  }

  @Test
  public void badExtrasWriteErrorAndFinish() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    String runId = "robo-bench-002";
    ActivityController<BenchmarkActivity> c = Robolectric.buildActivity(BenchmarkActivity.class,
        runnerIntent(bundle.getPath(), ActivityTestSupport.onnxArtifact(bundle), runId, 1, 0, 1, false)).setup();
    File dir = runDir(runId);
    ActivityTestSupport.idleUntil("error", 30_000, () -> new File(dir, "error").isFile());
    ActivityTestSupport.idleUntil("finish()", 10_000, () -> c.get().isFinishing());
    assertFalse(new File(dir, "done").exists());
    assertTrue(ActivityTestSupport.read(new File(dir, "error")).contains("iterations=0"));
    File out = ActivityTestSupport.results("robolectric/" + runId);
    Files.copy(new File(dir, "error").toPath(), new File(out, "error").toPath(), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  public void missingBundleExtraIsAnError() throws Exception {
    String runId = "robo-bench-003";
    Intent i = runnerIntent(null, "x.onnx", runId, 1, 5, 1, false);
    ActivityController<BenchmarkActivity> c = Robolectric.buildActivity(BenchmarkActivity.class, i).setup();
    File dir = runDir(runId);
    ActivityTestSupport.idleUntil("error", 30_000, () -> new File(dir, "error").isFile());
    ActivityTestSupport.idleUntil("finish()", 10_000, () -> c.get().isFinishing());
    assertTrue(ActivityTestSupport.read(new File(dir, "error")).contains("missing intent extra: bundle"));
  }

  @Test
  public void llmModeRunsThePromptsAndWritesTheLlmSection() throws Exception {
    String p = System.getProperty("mobilekit.llm_bundle", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.llm_bundle (tests/apps does)", !p.isEmpty());
    File bundle = new File(p);
    java.util.List<org.mobilekit.demo.core.FakeLlm> opened = new java.util.ArrayList<>();
    org.mobilekit.demo.core.LlmEngines.setFactoryForTests((dir, manifest, artifact, threads) -> {
      org.mobilekit.demo.core.FakeLlm f = new org.mobilekit.demo.core.FakeLlm(
          org.mobilekit.demo.core.FakeLlm.golden(), 10, 3);
      opened.add(f);
      return f;
    });
    try {
      String runId = "robo-llm-001";
      // the extras of docs/llm-contract.md, "The LLM benchmark case"
      Intent i = runnerIntent(bundle.getPath(), "smollm2.ort-genai.8da4w", runId, 1, 1, 2, true)
          .putExtra("mode", "llm")
          .putExtra("prompts", "prompts.json")
          .putExtra("prompt_ids", "capital,unicode")
          .putExtra("max_new_tokens", 16)
          .putExtra("repetitions", 2);
      ActivityController<BenchmarkActivity> c = Robolectric.buildActivity(BenchmarkActivity.class, i).setup();
      File dir = runDir(runId);
      ActivityTestSupport.idleUntil("done or error", 60_000,
          () -> new File(dir, "done").isFile() || new File(dir, "error").isFile());
      assertFalse(new File(dir, "error").isFile() ? ActivityTestSupport.read(new File(dir, "error")) : "",
          new File(dir, "error").isFile());
      ActivityTestSupport.idleUntil("finish()", 10_000, () -> c.get().isFinishing());
      JSONObject r = new JSONObject(ActivityTestSupport.read(new File(dir, "result.json")));
      assertEquals("llm", r.getJSONObject("config").getString("kind"));
      assertEquals(4, r.getJSONObject("llm").getJSONArray("generations").length());
      assertEquals("onnxruntime_genai", r.getJSONObject("artifact").getString("runtime"));
      JSONObject g = r.getJSONObject("llm").getJSONArray("generations").getJSONObject(2);
      assertEquals("unicode", g.getString("prompt_id"));
      assertTrue(g.toString(), g.getJSONObject("check").getBoolean("ok"));
      assertTrue(r.getJSONObject("power_samples").getJSONArray("timed").length() >= 1);
      assertEquals(1 + 4, opened.get(0).prompts.size());
      File out = ActivityTestSupport.results("robolectric/" + runId);
      Files.copy(new File(dir, "result.json").toPath(), new File(out, "result.json").toPath(),
          StandardCopyOption.REPLACE_EXISTING);
      System.out.println("FIGURE robolectric_llm_benchmark generations=4 text='" + g.getString("text") + "'");

      String bad = "robo-llm-002";
      Robolectric.buildActivity(BenchmarkActivity.class, runnerIntent(bundle.getPath(), "smollm2.xnnpack.8da4w.pte", bad,
          1, 1, 0, false).putExtra("mode", "chat")).setup();
      ActivityTestSupport.idleUntil("error", 30_000, () -> new File(runDir(bad), "error").isFile());
      assertTrue(ActivityTestSupport.read(new File(runDir(bad), "error")).contains("unknown mode 'chat'"));
    } finally {
      org.mobilekit.demo.core.LlmEngines.setFactoryForTests(null);
    }
  }
}
