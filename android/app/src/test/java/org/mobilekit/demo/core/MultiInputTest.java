package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import org.json.JSONObject;
import org.junit.Test;

/**
 * A text model's manifest (two int64 inputs, an embedding output, a tokenizer), its sample files read
 * into typed tensors in manifest order, and the output check (top-1 for classifiers, cosine otherwise).
 */
public class MultiInputTest {
  static final String TEXT = "{\"schema\": \"mobilekit.manifest/1\", \"name\": \"minilm\", \"created_utc\": \"x\","
      + " \"source\": {\"model\": \"m\", \"torch\": \"2\"},"
      + " \"inputs\": [{\"name\": \"input_ids\", \"dtype\": \"int64\", \"shape\": [1, 8], \"role\": \"input_ids\"},"
      + "   {\"name\": \"attention_mask\", \"dtype\": \"int32\", \"shape\": [1, 8], \"role\": \"attention_mask\"}],"
      + " \"outputs\": [{\"name\": \"embedding\", \"dtype\": \"float32\", \"shape\": [1, 4],"
      + "   \"postprocess\": {\"kind\": \"embedding\", \"normalize\": true}}],"
      + " \"artifacts\": [],"
      + " \"sample\": {\"input\": \"sample_input_ids.bin\", \"expected_output\": null,"
      + "   \"inputs\": [{\"name\": \"input_ids\", \"file\": \"sample_input_ids.bin\", \"dtype\": \"int64\", \"shape\": [1, 8]},"
      + "     {\"name\": \"attention_mask\", \"file\": \"sample_attention_mask.bin\", \"dtype\": \"int64\", \"shape\": [1, 8]}],"
      + "   \"outputs\": [{\"name\": \"embedding\", \"file\": \"sample_output_embedding.bin\", \"shape\": [1, 4]}],"
      + "   \"text\": \"hello world\", \"min_cosine\": 0.99},"
      + " \"tokenizer\": {\"kind\": \"wordpiece\", \"vocab\": \"vocab.txt\", \"file\": null, \"lowercase\": true,"
      + "   \"strip_accents\": null, \"max_length\": 8, \"cls_token\": \"[CLS]\", \"sep_token\": \"[SEP]\","
      + "   \"pad_token\": \"[PAD]\", \"unk_token\": \"[UNK]\", \"continuing_prefix\": \"##\", \"max_chars_per_word\": 100,"
      + "   \"inputs\": {\"input_ids\": \"input_ids\", \"attention_mask\": \"attention_mask\", \"token_type_ids\": null}}}";

  static File bundle(String manifest) throws IOException {
    File dir = Files.createTempDirectory("mobilekit-text").toFile();
    write(new File(dir, "manifest.json"), manifest.getBytes(StandardCharsets.UTF_8));
    write(new File(dir, "sample_input_ids.bin"), int64(101, 7592, 2088, 102, 0, 0, 0, 0));
    write(new File(dir, "sample_attention_mask.bin"), int64(1, 1, 1, 1, 0, 0, 0, 0));
    write(new File(dir, "sample_output_embedding.bin"), float32(0.5f, 0.5f, -0.5f, 0.5f));
    write(new File(dir, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nworld\n".getBytes(StandardCharsets.UTF_8));
    return dir;
  }

  static void write(File f, byte[] b) throws IOException {
    Files.write(f.toPath(), b);
  }

  static byte[] int64(long... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(v);
    return b.array();
  }

  static byte[] float32(float... v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    return b.array();
  }

  @Test
  public void readsTheTextFields() {
    Manifest m = Manifest.parse(TEXT);
    assertEquals("input_ids", m.inputs.get(0).role);
    assertTrue(m.inputs.get(1).isInteger());
    assertTrue(m.hasIntegerInputs());
    assertEquals("embedding", m.outputs.get(0).kind);
    assertTrue(m.outputs.get(0).normalize);
    assertEquals(2, m.sampleInputs.size());
    assertEquals("sample_attention_mask.bin", m.sampleInputs.get(1).file);
    assertEquals("sample_output_embedding.bin", m.sampleOutput); // expected_output null: sample.outputs[0]
    assertEquals("hello world", m.sampleText);
    assertEquals(0.99, m.minCosine, 0);
    Manifest.TokenizerSpec t = m.tokenizer;
    assertEquals(8, t.maxLength);
    assertTrue(t.lowercase && t.stripAccents); // strip_accents null follows lowercase, as in BERT
    assertEquals("attention_mask", t.attentionMask);
    assertNull(t.tokenTypeIds);
  }

  @Test
  public void olderBundlesStillWork() {
    Manifest m = Manifest.parse(ManifestTest.MINIMAL.replace("\"artifacts\"",
        "\"sample\": {\"input\": \"sample_input.bin\", \"expected_top1\": 1}, \"artifacts\""));
    assertEquals(1, m.sampleInputs.size());
    assertEquals("x", m.sampleInputs.get(0).name);
    assertEquals("sample_input.bin", m.sampleInputs.get(0).file);
    assertNull(m.tokenizer);
    assertNull(m.sampleText);
    assertEquals(Manifest.DEFAULT_MIN_COSINE, m.minCosine, 0);
    assertFalse(m.hasIntegerInputs());
  }

  @Test
  public void everyInputFromItsSampleFileInTheModelsDtype() throws Exception {
    File dir = bundle(TEXT);
    Manifest m = Manifest.load(dir);
    List<InputTensor> in = m.readSampleInputs(dir);
    assertEquals(2, in.size());
    assertEquals("input_ids", in.get(0).name);
    assertEquals("int64", in.get(0).dtype);
    assertArrayEquals(new long[] {101, 7592, 2088, 102, 0, 0, 0, 0}, in.get(0).longs());
    assertArrayEquals(new long[] {1, 8}, in.get(0).shape);
    // the model's attention_mask is int32: the int64 sample is converted, not reinterpreted
    assertEquals("int32", in.get(1).dtype);
    assertArrayEquals(new int[] {1, 1, 1, 1, 0, 0, 0, 0}, in.get(1).ints());
    assertArrayEquals(new float[] {0.5f, 0.5f, -0.5f, 0.5f}, m.readExpectedOutput(dir), 0);
  }

  @Test
  public void integerInputsWithoutSampleDataFailNamingTheInput() throws Exception {
    File dir = bundle(TEXT.replace(",\n", ",").replaceAll(
        ",\\s*\\{\"name\": \"attention_mask\", \"file\"[^}]*\\}", ""));
    Manifest m = Manifest.load(dir);
    assertEquals(1, m.sampleInputs.size());
    try {
      m.readSampleInputs(dir);
      fail("an attention mask of zeros must not be made up");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("'attention_mask'") && e.getMessage().contains("int32"));
    }
  }

  @Test
  public void floatInputsWithoutSampleDataGetZeros() throws Exception {
    String extra = TEXT.replace("\"role\": \"attention_mask\"}]", "\"role\": \"attention_mask\"},"
        + " {\"name\": \"features\", \"dtype\": \"float32\", \"shape\": [1, 3], \"role\": \"features\"}]");
    File dir = bundle(extra);
    List<InputTensor> in = Manifest.load(dir).readSampleInputs(dir);
    assertEquals(3, in.size());
    assertArrayEquals(new float[3], in.get(2).floats(), 0);
  }

  @Test
  public void aSampleFileOfTheWrongSizeIsRefused() throws Exception {
    File dir = bundle(TEXT);
    write(new File(dir, "sample_attention_mask.bin"), int64(1, 1, 1));
    try {
      Manifest.load(dir).readSampleInputs(dir);
      fail();
    } catch (IOException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("attention_mask") && e.getMessage().contains("64"));
    }
  }

  @Test
  public void cosineCheckForEmbeddings() throws Exception {
    Manifest m = Manifest.parse(TEXT);
    float[] want = {0.5f, 0.5f, -0.5f, 0.5f};
    OutputCheck same = OutputCheck.of(m, new float[] {0.5f, 0.5f, -0.5f, 0.5f}, want);
    assertEquals("output", same.compared);
    assertEquals(1.0, same.cosine, 1e-9);
    assertEquals(0.0, same.maxAbsErr, 0);
    assertTrue(same.ok);
    assertNull(same.problem());
    JSONObject j = same.toJson();
    assertEquals("output", j.getString("compared"));
    assertEquals(0.99, j.getDouble("min_cosine"), 0);
    assertTrue(j.isNull("expected_top1") && j.isNull("got_top1"));
    // scaled: same direction, cosine 1, but a large absolute error
    OutputCheck scaled = OutputCheck.of(m, new float[] {1, 1, -1, 1}, want);
    assertTrue(scaled.ok);
    assertEquals(0.5, scaled.maxAbsErr, 1e-9);
    // one sign flipped: cosine 0.5 < 0.99
    OutputCheck off = OutputCheck.of(m, new float[] {0.5f, 0.5f, 0.5f, 0.5f}, want);
    assertEquals(0.5, off.cosine, 1e-9);
    assertFalse(off.ok);
    assertTrue(off.problem(), off.problem().startsWith("output mismatch: cosine 0.500000"));
    // an all-zero output (e.g. a zero attention mask) does not pass
    assertFalse(OutputCheck.of(m, new float[4], want).ok);
    // nothing to compare with
    OutputCheck none = OutputCheck.of(m, new float[4], null);
    assertNull(none.compared);
    assertNull(none.ok);
    try {
      OutputCheck.of(m, new float[3], want);
      fail();
    } catch (IllegalStateException e) {
      assertTrue(e.getMessage().contains("3 values"));
    }
  }

  @Test
  public void classifiersKeepTheTop1Check() {
    Manifest m = Manifest.parse(ManifestTest.MINIMAL.replace("\"shape\": [1, 2]}",
        "\"shape\": [1, 2], \"postprocess\": {\"kind\": \"classification\"}}").replace("\"artifacts\"",
        "\"sample\": {\"input\": \"s.bin\", \"expected_top1\": 1, \"min_cosine\": 0.5}, \"artifacts\""));
    OutputCheck c = OutputCheck.of(m, new float[] {0.1f, 0.9f}, new float[] {0.9f, 0.1f});
    assertEquals("top1", c.compared);
    assertTrue(c.ok); // same class; the cosine (0.22) is reported, not judged
    assertEquals(0.2195, c.cosine, 1e-3);
    OutputCheck wrong = OutputCheck.of(m, new float[] {0.9f, 0.1f}, null);
    assertFalse(wrong.ok);
    assertTrue(wrong.problem().startsWith("top-1 mismatch: the phone computed class 0, the host expected 1"));
  }

  @Test
  public void textModelFeedsIdsAndMaskInEachInputsDtype() throws Exception {
    File dir = bundle(TEXT);
    Manifest m = Manifest.load(dir);
    TextModel text = TextModel.load(dir, m);
    List<InputTensor> in = text.inputs("Hello, world");
    assertArrayEquals(new long[] {2, 4, 1, 5, 3, 0, 0, 0}, in.get(0).longs()); // "," is not in the tiny vocab
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 0, 0, 0}, in.get(1).ints());
    // the bundle's own sample sentence tokenizes to ids of the same shape as its sample file
    assertEquals(in.get(0).numel(), m.readSampleInputs(dir).get(0).numel());
    String shown = TextModel.describe(new float[] {0.6f, 0.8f}, new float[] {0.8f, 0.6f}, "before");
    assertTrue(shown, shown.contains("norm 1.0000") && shown.contains("cosine with \"before\": 0.9600"));
  }

  @Test
  public void withoutATokenizerTheAppSaysWhatToDo() {
    Manifest m = Manifest.parse(TEXT.replaceAll(", \"tokenizer\": \\{.*\\}\\}\\}$", "}"));
    assertNull(m.tokenizer);
    String why = TextModel.missingTokenizer(m);
    assertTrue(why, why.contains("--tokenizer") && why.contains("input_ids (int64)"));
    try {
      TextModel.load(new File("."), m);
      fail();
    } catch (Exception e) {
      assertEquals(why, e.getMessage());
    }
    assertNull(TextModel.missingTokenizer(Manifest.parse(ManifestTest.MINIMAL)));
  }

  @Test
  public void typedTensorsConvertOnlyWithinIntegersOrToFloat() {
    InputTensor ids = InputTensor.ofLongs("ids", "int64", new long[] {1, 2}, new long[] {7, 300});
    assertArrayEquals(new byte[] {7, (byte) 300}, ids.as("uint8").bytes());
    assertArrayEquals(new float[] {7, 300}, ids.as("float32").floats(), 0);
    try {
      InputTensor.ofFloats("x", new long[] {2}, new float[] {1, 2}).as("int64");
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("'x'"));
    }
    try {
      InputTensor.ofFloats("x", new long[] {3}, new float[] {1, 2});
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("[3]"));
    }
    assertEquals(Arrays.asList(8, 4, 4, 2, 1), Arrays.asList(InputTensor.elementSize("int64"),
        InputTensor.elementSize("int32"), InputTensor.elementSize("float32"), InputTensor.elementSize("float16"),
        InputTensor.elementSize("bool")));
  }
}
