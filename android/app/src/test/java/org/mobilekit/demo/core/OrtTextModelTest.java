package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * A real multi-input text model on the app's ONNX Runtime path: all-MiniLM-L6-v2 exported to ONNX by
 * tests/apps/conftest.py (input_ids + attention_mask, int64 [1, 16]; embedding float32 [1, 384]). The
 * benchmark feeds both sample inputs and checks the embedding by cosine; sentences typed into the demo
 * go through the Java WordPiece tokenizer and must give PyTorch's embeddings.
 */
public class OrtTextModelTest {
  private static File textBundle() {
    return TestFiles.dir("mobilekit.text_bundle");
  }

  private static String onnx(Manifest m) {
    return BenchmarkTest.ortArtifact(m);
  }

  @Test
  public void benchmarkFeedsEveryInputAndChecksTheEmbeddingByCosine() throws Exception {
    File bundle = textBundle();
    File results = TestFiles.dir("mobilekit.results");
    Manifest m = Manifest.load(bundle);
    String runId = "jvm-text-008";
    Benchmark bench = new Benchmark(new FakeProbes(), Collections.<String, String>emptyMap(), 0);
    List<File> bases = BenchmarkTest.bases(results, runId);
    String outcome = bench.execute(bases, bundle.getPath(), onnx(m), runId, 1, 5, 1, false);
    assertEquals("done", outcome);
    JSONObject r = TestFiles.json(new File(ResultWriter.runDir(bases.get(0), runId), "result.json"));
    JSONObject check = r.getJSONObject("check");
    assertEquals("output", check.getString("compared"));
    assertTrue(check.toString(), check.getBoolean("ok"));
    assertTrue(check.toString(), check.getDouble("cosine") > 0.99999);
    assertTrue(check.toString(), check.getDouble("max_abs_err") < 1e-4);
    assertEquals(0.999, check.getDouble("min_cosine"), 0);
    assertTrue(check.isNull("expected_top1") && check.isNull("got_top1"));
    System.out.println("FIGURE ort_jvm_text_benchmark cosine=" + check.getDouble("cosine") + " max_abs_err="
        + check.getDouble("max_abs_err"));
  }

  @Test
  public void aWrongAttentionMaskFailsTheCheck() throws Exception {
    // The same bundle with the mask's sample replaced by the ids file: ids are not a 0/1 mask, so the
    // embedding changes and the cosine check must say so (zeros would have to be refused outright).
    File bundle = textBundle();
    File copy = java.nio.file.Files.createTempDirectory("mobilekit-text-bad").toFile();
    for (File f : bundle.listFiles()) {
      java.nio.file.Files.copy(f.toPath(), new File(copy, f.getName()).toPath());
    }
    java.nio.file.Files.copy(new File(bundle, "sample_input_ids.bin").toPath(),
        new File(copy, "sample_attention_mask.bin").toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Manifest m = Manifest.load(copy);
    File results = TestFiles.dir("mobilekit.results");
    String runId = "jvm-text-bad-009";
    List<File> bases = Collections.singletonList(new File(results, "bad"));
    assertEquals("done", new Benchmark(new FakeProbes(), Collections.<String, String>emptyMap(), 0)
        .execute(bases, copy.getPath(), onnx(m), runId, 0, 1, 1, false));
    JSONObject r = TestFiles.json(new File(ResultWriter.runDir(bases.get(0), runId), "result.json"));
    assertTrue(r.getJSONObject("check").toString(), !r.getJSONObject("check").getBoolean("ok"));
    JSONArray errors = r.getJSONArray("errors");
    boolean said = false;
    for (int i = 0; i < errors.length(); i++) {
      said |= errors.getString(i).startsWith("output mismatch: cosine");
    }
    assertTrue(errors.toString(), said);
  }

  @Test
  public void typedSentencesGivePyTorchsEmbeddings() throws Exception {
    File bundle = textBundle();
    Manifest m = Manifest.load(bundle);
    TextModel text = TextModel.load(bundle, m);
    JSONArray cases = TestFiles.json(new File(TestFiles.dir("mobilekit.text_reference"), "reference.json"))
        .getJSONArray("cases");
    float[][] got = new float[cases.length()][];
    double worst = 1;
    try (OrtRunner ort = new OrtRunner(new File(bundle, onnx(m)), m.inputs.get(0).name,
        Tensors.concrete(m.inputs.get(0).shape), 1, false, Collections.<String, String>emptyMap())) {
      // the bundle's own sample sentence tokenizes to exactly its sample ids
      List<InputTensor> sample = m.readSampleInputs(bundle);
      List<InputTensor> typed = text.inputs(m.sampleText);
      assertEquals(java.util.Arrays.toString(sample.get(0).longs()), java.util.Arrays.toString(typed.get(0).longs()));
      for (int i = 0; i < cases.length(); i++) {
        JSONObject c = cases.getJSONObject(i);
        List<InputTensor> in = text.inputs(c.getString("text"));
        assertEquals(c.getString("text"), c.getJSONArray("input_ids").toString(),
            new JSONArray(in.get(0).longs()).toString());
        got[i] = ort.run(in);
        float[] want = floats(c.getJSONArray("embedding"));
        double cos = OutputCheck.cosine(got[i], want);
        worst = Math.min(worst, cos);
        assertTrue(c.getString("text") + ": cosine " + cos, cos > 0.99999);
        assertTrue(OutputCheck.maxAbsErr(got[i], want) < 1e-4);
        assertEquals(1.0, OutputCheck.norm(got[i]), 1e-4);
      }
    }
    // what the demo shows: related sentences are closer than unrelated ones
    double bread = OutputCheck.cosine(got[0], got[1]);
    double movie = OutputCheck.cosine(got[0], got[2]);
    assertTrue(bread + " vs " + movie, bread > movie);
    System.out.println("FIGURE ort_jvm_text sentences=" + cases.length() + " worst_cosine_vs_pytorch=" + worst
        + " cos(bread,horse)=" + bread + " cos(bread,movie)=" + movie);
  }

  private static float[] floats(JSONArray a) {
    float[] out = new float[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) a.getDouble(i);
    }
    return out;
  }
}
