package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.util.Collections;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The app's ONNX Runtime path end to end on the desktop JVM: every held-out digit PNG through the
 * Java preprocessing and {@link OrtRunner} on the bundle's INT8 .onnx, against the labels and the
 * eager FP32 PyTorch predictions (from Python).
 */
public class OrtDigitsTest {
  @Test
  public void heldOutDigitsThroughJavaPreprocessAndOrt() throws Exception {
    File bundle = TestFiles.bundle();
    File ref = TestFiles.reference();
    Manifest m = Manifest.load(bundle);
    Manifest.Input input = m.inputs.get(0);
    JSONArray cases = TestFiles.json(new File(ref, "index.json")).getJSONArray("cases");
    int n = 0;
    int correct = 0;
    int agree = 0;
    try (OrtRunner ort = new OrtRunner(new File(bundle, BenchmarkTest.ortArtifact(m)), input.name,
        Tensors.concrete(input.shape), 1, true, BenchmarkTest.X86_ORT)) {
      // sample_input.bin -> expected_top1, as the benchmark checks it
      float[] sample = Tensors.readFloatsLE(new File(bundle, m.sampleInput), input.numel());
      float[] got = ort.run(sample);
      assertEquals(m.expectedTop1.intValue(), Tensors.argmax(got));
      if (m.sampleOutput != null) { // eager FP32 logits from the host: how far the INT8 model is
        float[] want = Tensors.readFloatsLE(new File(bundle, m.sampleOutput), got.length);
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < want.length; i++) {
          signal += (double) want[i] * want[i];
          noise += (double) (want[i] - got[i]) * (want[i] - got[i]);
        }
        System.out.println("FIGURE ort_jvm_sample sqnr_db_vs_eager_fp32=" + 10 * Math.log10(signal / Math.max(noise, 1e-30)));
      }
      Preprocess pre = new Preprocess(input.preprocess);
      for (int i = 0; i < cases.length(); i++) {
        JSONObject c = cases.getJSONObject(i);
        if (!c.getString("name").startsWith("digit")) {
          continue;
        }
        TestFiles.Picture p = TestFiles.png(new File(ref, c.getString("png")));
        int top1 = Tensors.argmax(ort.run(pre.toLayout(pre.apply(p.argb, p.width, p.height), input.layout)));
        n++;
        correct += top1 == c.getInt("label") ? 1 : 0;
        agree += top1 == c.getInt("eager_top1") ? 1 : 0;
      }
      System.out.println("FIGURE ort_jvm provider=\"" + ort.describe().replace('"', '\'') + "\"");
    }
    assertTrue("digit pictures in the reference", n >= 100);
    double accuracy = (double) correct / n;
    double agreement = (double) agree / n;
    System.out.println("FIGURE ort_jvm_digits n=" + n + " accuracy=" + accuracy + " top1_agreement_with_eager_fp32="
        + agreement);
    assertTrue("accuracy " + accuracy, accuracy >= 0.98);
    assertTrue("agreement " + agreement, agreement >= 0.99);
  }

  @Test
  public void withoutX64QuantPrecisionTheHostTrapShows() throws Exception {
    // FIELD-NOTES: on x86-64 with AVX2 and no VNNI, ORT's u8s8 kernels saturate; phones do not have this.
    File bundle = TestFiles.bundle();
    File ref = TestFiles.reference();
    Manifest m = Manifest.load(bundle);
    Manifest.Input input = m.inputs.get(0);
    JSONArray cases = TestFiles.json(new File(ref, "index.json")).getJSONArray("cases");
    int n = 0;
    int agree = 0;
    try (OrtRunner ort = new OrtRunner(new File(bundle, BenchmarkTest.ortArtifact(m)), input.name,
        Tensors.concrete(input.shape), 1, false, Collections.<String, String>emptyMap())) {
      for (int i = 0; i < cases.length(); i++) {
        JSONObject c = cases.getJSONObject(i);
        if (c.getString("name").startsWith("digit")) {
          float[] x = Tensors.readFloatsLE(new File(ref, c.getString("tensor")), -1);
          agree += Tensors.argmax(ort.run(x)) == c.getInt("eager_top1") ? 1 : 0;
          n++;
        }
      }
    }
    System.out.println("FIGURE ort_jvm_default_options top1_agreement_with_eager_fp32=" + (double) agree / n);
    assertTrue(n > 0);
  }

  @Test
  public void describesTheProviderItGot() throws Exception {
    File bundle = TestFiles.bundle();
    Manifest m = Manifest.load(bundle);
    try (OrtRunner cpu = new OrtRunner(new File(bundle, BenchmarkTest.ortArtifact(m)), "not-the-name",
        Tensors.concrete(m.inputs.get(0).shape), 2, false, Collections.<String, String>emptyMap())) {
      assertEquals("onnxruntime cpu threads=2 file=" + BenchmarkTest.ortArtifact(m), cpu.describe());
      assertEquals(10, cpu.run(new float[m.inputs.get(0).numel()]).length);
    }
    try {
      new OrtRunner(new File(bundle, BenchmarkTest.ortArtifact(m)), input0(m), Tensors.concrete(m.inputs.get(0).shape), 0,
          false, Collections.<String, String>emptyMap());
      org.junit.Assert.fail("threads 0 must be resolved before it reaches a runtime");
    } catch (IllegalArgumentException expected) {
      // one meaning of threads: Benchmark.Config.resolvedThreads turns 0 into a number first
    }
  }

  private static String input0(Manifest m) {
    return m.inputs.get(0).name;
  }
}
