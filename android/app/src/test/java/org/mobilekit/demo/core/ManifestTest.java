package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.List;
import org.junit.Test;

public class ManifestTest {
  static final String MINIMAL = "{\"schema\": \"mobilekit.manifest/1\", \"name\": \"m\", \"created_utc\": \"x\","
      + " \"source\": {\"model\": \"m\", \"torch\": \"2\"},"
      + " \"inputs\": [{\"name\": \"x\", \"dtype\": \"float32\", \"shape\": [-1, 3, 4, 4], \"preprocess\": null}],"
      + " \"outputs\": [{\"name\": \"y\", \"dtype\": \"float32\", \"shape\": [1, 2]}],"
      + " \"artifacts\": [{\"file\": \"m.ptl\", \"runtime\": \"pytorch_mobile\", \"backend\": \"qnnpack\","
      + " \"precision\": \"int8\", \"platforms\": [\"android\"], \"bytes\": 1, \"sha256\": \"00\"}]}";

  @Test
  public void parsesAMinimalManifest() {
    Manifest m = Manifest.parse(MINIMAL);
    assertEquals("m", m.name);
    assertNull(m.inputs.get(0).preprocess);
    assertEquals(48, m.inputs.get(0).numel());
    assertEquals("none", m.outputs.get(0).kind);
    assertNull(m.sampleInput);
    assertNull(m.expectedTop1);
    assertEquals("pytorch_mobile", m.artifact("m.ptl").runtime);
  }

  @Test
  public void rejectsAnotherSchemaVersion() {
    try {
      Manifest.parse(MINIMAL.replace("mobilekit.manifest/1", "mobilekit.manifest/2"));
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("mobilekit.manifest/2"));
    }
  }

  @Test
  public void namesAMissingField() {
    try {
      Manifest.parse(MINIMAL.replace("\"outputs\"", "\"outputz\""));
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("outputs"));
    }
  }

  @Test
  public void unknownArtifactListsTheKnownOnes() {
    try {
      Manifest.parse(MINIMAL).artifact("nope.pte");
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("nope.pte") && e.getMessage().contains("m.ptl"));
    }
  }

  @Test
  public void readsTheRealDigitsBundle() throws Exception {
    File bundle = TestFiles.bundle();
    Manifest m = Manifest.load(bundle);
    assertEquals("digits_cnn", m.name);
    Manifest.Input in = m.inputs.get(0);
    assertEquals("float32", in.dtype);
    assertArrayEquals(new long[] {1, 1, 28, 28}, in.shape);
    assertEquals("NCHW", in.layout);
    assertEquals("L", in.preprocess.color);
    assertArrayEquals(new int[] {28, 28}, in.preprocess.resize);
    assertNull(in.preprocess.crop);
    assertTrue(in.preprocess.invert);
    assertEquals(1.0 / 255.0, in.preprocess.scale, 1e-12);
    assertEquals("classification", m.outputs.get(0).kind);
    assertTrue(m.outputs.get(0).softmax);
    boolean executorch = false;
    boolean ort = false;
    for (Manifest.Artifact a : m.artifacts) {
      executorch |= a.runtime.equals("executorch");
      ort |= a.runtime.equals("onnxruntime");
      assertEquals(64, a.sha256.length());
      // bytes of a folder artifact (.mlpackage, an ORT GenAI folder) = the total of its files, as
      // export/manifest.py size_bytes writes it; File.length() of a folder is not that.
      assertEquals(a.file, a.bytes, TestFiles.sizeBytes(new File(bundle, a.file)));
      assertEquals(a.file, a.sha256, Benchmark.sha256(new File(bundle, a.file)));
    }
    assertTrue("an ExecuTorch artifact", executorch);
    assertTrue("an ONNX Runtime artifact", ort);
    assertTrue(m.expectedTop1 != null);
    assertEquals(1 * 28 * 28, Tensors.readFloatsLE(new File(bundle, m.sampleInput), in.numel()).length);
    List<String> labels = m.readLabels(bundle);
    assertEquals(10, labels.size());
    assertEquals("7", labels.get(7));
  }
}
