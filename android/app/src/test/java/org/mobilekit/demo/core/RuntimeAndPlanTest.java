package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.Test;

/** Runtime versions, the .ort choice, the game-loop plan and the demo's side-by-side on the real bundle. */
public class RuntimeAndPlanTest {
  @Test
  public void versionsCompareNumerically() {
    assertTrue(RuntimeVersions.compare("1.10.0", "1.9.2") > 0);
    assertTrue(RuntimeVersions.compare("1.5.1", "1.5.1") == 0);
    assertTrue(RuntimeVersions.compare("1.5", "1.5.1") < 0);
    assertTrue(RuntimeVersions.compare("1.5.1+cpu", "1.5.1") == 0);
  }

  @Test
  public void theRealBundleCarriesTheExporterVersionAndLoads() throws Exception {
    Manifest m = Manifest.load(TestFiles.bundle());
    for (Manifest.Artifact a : m.artifacts) {
      if (a.runtime.equals("executorch")) {
        // artifact.runtime_version, or source.executorch for bundles written before that field
        assertEquals("exporter and app must use the same ExecuTorch", RuntimeVersions.EXECUTORCH, a.runtimeVersion);
        RuntimeVersions.check(a); // not newer: no exception
      }
    }
  }

  @Test
  public void ortFileIsUsedWhenPresentAndNotNewer() throws Exception {
    File bundle = TestFiles.bundle();
    Manifest m = Manifest.load(bundle);
    for (Manifest.Artifact a : m.artifacts) {
      if (!a.runtime.equals("onnxruntime")) {
        continue;
      }
      File f = Runners.modelFile(bundle, a);
      if (a.ortFile() != null && RuntimeVersions.ortFormatUsable(a)) {
        assertEquals(a.ortFile(), f.getName());
      } else {
        assertEquals(a.file, f.getName());
      }
      System.out.println("FIGURE ort_model_file=" + f.getName() + " bundle_ort=" + a.runtimeVersion
          + " linked_ort=" + RuntimeVersions.ONNXRUNTIME);
    }
  }

  @Test
  public void defaultPlanHasEveryAndroidArtifactAndScenariosPickOne() throws Exception {
    Plan p = Plan.forBundle(TestFiles.bundle());
    assertTrue(p.cases.size() >= 2);
    assertEquals(p.cases.size(), p.scenario(0).size());
    assertEquals(p.cases.get(1).artifact, p.scenario(2).get(0).artifact);
    try {
      p.scenario(p.cases.size() + 1);
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("cases"));
    }
  }

  @Test
  public void planFileNamesCasesAndRefusesPaths() throws Exception {
    File dir = TestFiles.dir("mobilekit.results");
    File plan = new File(dir, "plan.json");
    Files.write(plan.toPath(), ("{\"schema\": \"mobilekit.plan/1\", \"warmup\": 1, \"iterations\": 3,"
        + " \"cases\": [{\"artifact\": \"a.onnx\", \"threads\": 2}]}").getBytes(StandardCharsets.UTF_8));
    Plan p = Plan.load(plan, TestFiles.bundle());
    assertEquals(1, p.cases.size());
    assertEquals(2, p.cases.get(0).threads);
    assertEquals(3, p.iterations);
    Files.write(plan.toPath(), "{\"cases\": [{\"artifact\": \"../x.onnx\"}]}".getBytes(StandardCharsets.UTF_8));
    try {
      Plan.load(plan, TestFiles.bundle());
      fail();
    } catch (IllegalArgumentException expected) {
      assertTrue(expected.getMessage().contains("file name"));
    }
  }

  @Test
  public void threadsHaveOneMeaning() {
    assertEquals(4, new Benchmark.Config(0, 1, 0, false).resolvedThreads(8));
    assertEquals(1, new Benchmark.Config(0, 1, 0, false).resolvedThreads(1));
    assertEquals(3, new Benchmark.Config(0, 1, 3, false).resolvedThreads(8));
  }

  @Test
  public void keepAspectCoversTheTarget() {
    int[] s = Preprocess.coverSize(400, 300, 256, 256);
    assertEquals(341, s[0]);
    assertEquals(256, s[1]);
    s = Preprocess.coverSize(183, 301, 256, 256);
    assertEquals(256, s[0]);
    assertEquals(421, s[1]);
    // 1001 x 0.5 = 500.5: halves go to even, as Python's round() in export/spec.py
    s = Preprocess.coverSize(1001, 512, 256, 256);
    assertEquals(500, s[0]);
    assertEquals(256, s[1]);
  }

  @Test
  public void sideBySideRunsEveryArtifactOnTheSameInput() throws Exception {
    File bundle = TestFiles.bundle();
    Manifest m = Manifest.load(bundle);
    float[] x = Tensors.readFloatsLE(new File(bundle, m.sampleInput), m.inputs.get(0).numel());
    List<Classify.Outcome> rows = Classify.compareAll(bundle, m, x, 1, 5, BenchmarkTest.X86_ORT);
    int ok = 0;
    for (Classify.Outcome o : rows) {
      if (o.runtime.equals("onnxruntime")) {
        assertNull(o.error, o.error);
        assertEquals(m.expectedTop1.intValue(), o.top1());
        assertTrue(o.latency.p90 >= o.latency.p50);
        ok++;
      } else {
        // no libexecutorch.so on the desktop: a row that says it failed, not a crash
        assertFalse(o.error == null);
      }
    }
    assertTrue(ok >= 1);
    String table = Classify.table(rows, m, m.readLabels(bundle));
    assertTrue(table, table.contains("p50 ms") && table.contains(".onnx"));
    System.out.println("FIGURE side_by_side_rows=" + rows.size());
  }
}
