package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The benchmark activity's whole path ({@link Benchmark#execute}) on the desktop JVM with the real
 * bundle: the ONNX Runtime artifact runs for real; failures write {@code error} and no {@code done}.
 * The result files stay in {@code mobilekit.results} for the pytest side to validate against
 * schemas/result.schema.json.
 */
public class BenchmarkTest {
  /** As the host validation: on x86-64 without VNNI, ORT's u8s8 kernels saturate without this. */
  static final Map<String, String> X86_ORT = Collections.singletonMap("session.x64quantprecision", "1");

  static List<File> bases(File results, String runId) {
    return Arrays.asList(new File(results, "external"), new File(results, "internal"));
  }

  static String read(File f) throws IOException {
    return new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8);
  }

  static String ortArtifact(Manifest m) {
    for (Manifest.Artifact a : m.artifacts) {
      if (a.runtime.equals("onnxruntime") && a.file.endsWith(".onnx")) {
        return a.file;
      }
    }
    throw new AssertionError("the bundle has no .onnx artifact");
  }

  @Test
  public void ortArtifactRunsAndWritesAValidResult() throws Exception {
    File bundle = TestFiles.bundle();
    File results = TestFiles.dir("mobilekit.results");
    Manifest m = Manifest.load(bundle);
    String runId = "jvm-ort-001";
    Benchmark bench = new Benchmark(new FakeProbes(), X86_ORT, 0.3);
    String outcome = bench.execute(bases(results, runId), bundle.getPath(), ortArtifact(m), runId, 3, 20, 1, true);
    assertEquals("done", outcome);
    for (File base : bases(results, runId)) {
      File dir = ResultWriter.runDir(base, runId);
      assertTrue(new File(dir, "done").isFile());
      assertEquals(0, new File(dir, "done").length());
      assertFalse(new File(dir, "error").exists());
      JSONObject r = TestFiles.json(new File(dir, "result.json"));
      assertEquals("mobilekit.result/1", r.getString("schema"));
      assertEquals(runId, r.getString("run_id"));
      assertEquals("onnxruntime", r.getJSONObject("artifact").getString("runtime"));
      assertEquals(m.artifact(ortArtifact(m)).sha256, r.getJSONObject("artifact").getString("sha256"));
      assertEquals(20, r.getJSONArray("latency_ms").length());
      JSONObject check = r.getJSONObject("check");
      assertEquals(m.expectedTop1.intValue(), check.getInt("got_top1"));
      assertTrue(check.getBoolean("ok"));
      // The desktop ORT jar has no XNNPACK execution provider: the result says so (a phone's AAR has it).
      JSONArray errors = r.getJSONArray("errors");
      assertEquals(1, errors.length());
      assertTrue(errors.getString(0), errors.getString(0).startsWith("ran with onnxruntime cpu (xnnpack unavailable"));
      // Energy is the runner's to compute: the app leaves raw readings and the timed window.
      assertTrue(r.isNull("energy"));
      JSONObject timing = r.getJSONObject("timing");
      long t0 = timing.getLong("timed_start_ms");
      long t1 = timing.getLong("timed_end_ms");
      assertTrue(t0 <= t1);
      JSONObject ps = r.getJSONObject("power_samples");
      assertTrue(ps.getJSONArray("idle").length() >= 1);
      JSONArray timed = ps.getJSONArray("timed");
      assertTrue(timed.length() >= 1);
      JSONObject s0 = timed.getJSONObject(0);
      assertEquals(-450_000, s0.getInt("bm_current_ua"));
      assertEquals("Discharging", s0.getString("sysfs_status"));
      assertTrue(s0.getLong("t_ms") >= t0 - 1000 && s0.getLong("t_ms") <= t1 + 1000);
      assertEquals(1, r.getJSONObject("config").getInt("threads_used"));
      assertEquals(Boolean.TRUE, r.getJSONObject("device_state").getJSONObject("before").get("screen_on"));
      JSONObject stats = r.getJSONObject("stats");
      assertTrue(stats.getDouble("min") <= stats.getDouble("p50") && stats.getDouble("p50") <= stats.getDouble("max"));
      System.out.println("FIGURE ort_benchmark got_top1=" + check.getInt("got_top1") + " expected_top1="
          + m.expectedTop1 + " p50_ms=" + stats.getDouble("p50") + " load_ms=" + r.getDouble("load_ms"));
    }
  }

  @Test
  public void unknownArtifactWritesErrorAndNoDone() throws Exception {
    File results = TestFiles.dir("mobilekit.results");
    String runId = "jvm-unknown-002";
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId),
        TestFiles.bundle().getPath(), "nope.pte", runId, 1, 5, 0, false);
    assertTrue(outcome, outcome.startsWith("error: unknown artifact 'nope.pte'"));
    for (File base : bases(results, runId)) {
      File dir = ResultWriter.runDir(base, runId);
      assertTrue(read(new File(dir, "error")).contains("unknown artifact 'nope.pte'"));
      assertFalse(new File(dir, "done").exists());
      assertFalse(new File(dir, "result.json").exists());
    }
  }

  @Test
  public void executorchOnTheDesktopJvmIsAnErrorFileNotACrash() throws Exception {
    File bundle = TestFiles.bundle();
    File results = TestFiles.dir("mobilekit.results");
    String pte = null;
    for (Manifest.Artifact a : Manifest.load(bundle).artifacts) {
      if (a.runtime.equals("executorch")) {
        pte = a.file;
      }
    }
    String runId = "jvm-pte-003";
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId), bundle.getPath(),
        pte, runId, 1, 5, 0, false);
    // No libexecutorch.so for the desktop: whatever is thrown (stand-in or UnsatisfiedLinkError) ends in error.
    assertTrue(outcome, outcome.startsWith("error: "));
    assertTrue(new File(ResultWriter.runDir(bases(results, runId).get(1), runId), "error").isFile());
  }

  @Test
  public void legacyPtlSaysItNeedsTheLegacyBuild() throws Exception {
    File bundle = TestFiles.bundle();
    File results = TestFiles.dir("mobilekit.results");
    File copy = new File(results, "ptl-bundle");
    copy.mkdirs();
    JSONObject manifest = TestFiles.json(new File(bundle, "manifest.json"));
    JSONObject ptl = new JSONObject();
    ptl.put("file", "digits_cnn.qnnpack.int8.ptl");
    ptl.put("runtime", "pytorch_mobile");
    ptl.put("backend", "qnnpack");
    ptl.put("precision", "int8");
    ptl.put("platforms", new JSONArray().put("android"));
    ptl.put("bytes", 4);
    ptl.put("sha256", "0000000000000000000000000000000000000000000000000000000000000000");
    manifest.getJSONArray("artifacts").put(ptl);
    Files.write(new File(copy, "manifest.json").toPath(), manifest.toString().getBytes(StandardCharsets.UTF_8));
    Files.write(new File(copy, "digits_cnn.qnnpack.int8.ptl").toPath(), new byte[4]);
    Files.copy(new File(bundle, "sample_input.bin").toPath(), new File(copy, "sample_input.bin").toPath(),
        StandardCopyOption.REPLACE_EXISTING);
    String runId = "jvm-ptl-004";
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId), copy.getPath(),
        "digits_cnn.qnnpack.int8.ptl", runId, 1, 5, 0, false);
    assertTrue(outcome, outcome.contains("need the legacy build"));
  }

  @Test
  public void hostileRunIdsAndArtifactsAreRefused() throws Exception {
    File results = TestFiles.dir("mobilekit.results");
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, "x"),
        TestFiles.bundle().getPath(), "x.pte", "../../evil", 1, 5, 0, false);
    assertTrue(outcome, outcome.startsWith("error: run_id must be"));
    assertFalse(new File(results, "evil").exists());
    try {
      Benchmark.checkArtifactName("../manifest.json");
      fail();
    } catch (IllegalArgumentException expected) {
      // a path, not a file name in the bundle
    }
  }

  /** A copy of the real bundle with the first ORT artifact's manifest entry changed by {@code edit}. */
  static File editedBundle(String name, java.util.function.Consumer<JSONObject> edit) throws Exception {
    File bundle = TestFiles.bundle();
    File copy = new File(TestFiles.dir("mobilekit.results"), name);
    copy.mkdirs();
    for (File f : bundle.listFiles()) {
      if (f.isFile()) {
        Files.copy(f.toPath(), new File(copy, f.getName()).toPath(), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    JSONObject manifest = TestFiles.json(new File(bundle, "manifest.json"));
    JSONArray arts = manifest.getJSONArray("artifacts");
    for (int i = 0; i < arts.length(); i++) {
      edit.accept(arts.getJSONObject(i));
    }
    Files.write(new File(copy, "manifest.json").toPath(), manifest.toString().getBytes(StandardCharsets.UTF_8));
    return copy;
  }

  @Test
  public void newerExecuTorchBundleIsRefusedWithWhatToDo() throws Exception {
    File copy = editedBundle("newer-et-bundle", a -> {
      if (a.optString("runtime").equals("executorch")) {
        a.put("runtime_version", "9.1.0");
      }
    });
    String pte = null;
    for (Manifest.Artifact a : Manifest.load(copy).artifacts) {
      if (a.runtime.equals("executorch")) {
        pte = a.file;
      }
    }
    String runId = "jvm-newer-006";
    File results = TestFiles.dir("mobilekit.results");
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId), copy.getPath(),
        pte, runId, 1, 5, 0, false);
    assertTrue(outcome, outcome.startsWith("error: bundle needs ExecuTorch 9.1.0, this app links "
        + RuntimeVersions.EXECUTORCH + ": update the app"));
    assertTrue(read(new File(ResultWriter.runDir(bases(results, runId).get(0), runId), "error"))
        .contains("re-export with executorch==" + RuntimeVersions.EXECUTORCH));
  }

  @Test
  public void lowFidelityArtifactRunsWithAWarningInTheResult() throws Exception {
    File copy = editedBundle("low-fidelity-bundle", a -> {
      JSONObject v = a.optJSONObject("validation");
      if (v == null) {
        v = new JSONObject();
        a.put("validation", v);
      }
      v.put("status", "low_fidelity");
      v.put("reason", "top-1 agreement 0.62 is below the floor 0.90 on the held-out digits.");
    });
    String runId = "jvm-lowfi-007";
    File results = TestFiles.dir("mobilekit.results");
    Manifest m = Manifest.load(copy);
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId), copy.getPath(),
        ortArtifact(m), runId, 1, 5, 2, false);
    assertEquals("done", outcome);
    JSONObject r = TestFiles.json(new File(ResultWriter.runDir(bases(results, runId).get(0), runId), "result.json"));
    String errors = r.getJSONArray("errors").toString();
    assertTrue(errors, errors.contains("low fidelity by host validation: top-1 agreement 0.62 is below the floor"));
    assertEquals(2, r.getJSONObject("config").getInt("threads_used"));
    assertTrue(r.isNull("power_samples") || !r.has("power_samples"));
  }

  @Test
  public void badExtrasAreAnError() throws Exception {
    File results = TestFiles.dir("mobilekit.results");
    String runId = "jvm-extras-005";
    String outcome = new Benchmark(new FakeProbes(), X86_ORT, 0).execute(bases(results, runId),
        TestFiles.bundle().getPath(), "x.onnx", runId, 1, 0, 0, false);
    assertTrue(outcome, outcome.contains("iterations=0"));
    assertTrue(new File(ResultWriter.runDir(bases(results, runId).get(0), runId), "error").isFile());
  }
}
