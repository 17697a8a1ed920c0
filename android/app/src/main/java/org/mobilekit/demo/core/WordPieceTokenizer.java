package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * BERT's tokenizer as the manifest's {@code tokenizer} ({@code kind: wordpiece}) describes it, in plain
 * Java: the same ids as Hugging Face {@code tokenizers} (BertNormalizer + BertPreTokenizer + WordPiece +
 * the {@code [CLS] $A [SEP]} template, truncation and fixed-length padding), checked against that
 * library on real sentences by {@code WordPieceTokenizerTest}.
 *
 * <ol>
 *   <li>clean: drop NUL, U+FFFD and control/format characters (Unicode C*, except tab, CR, LF), turn
 *       whitespace into a space;</li>
 *   <li>put spaces around CJK ideographs;</li>
 *   <li>strip accents (NFD, drop non-spacing marks) and lower-case, when the manifest says so;</li>
 *   <li>split on whitespace, and make each punctuation character (ASCII 33-47, 58-64, 91-96, 123-126,
 *       Unicode P*) a word of its own;</li>
 *   <li>WordPiece: greedy longest-match-first, {@code ##} on continuations; a word longer than
 *       {@code max_chars_per_word} characters, or one that cannot be matched, becomes {@code [UNK]};</li>
 *   <li>{@code [CLS]} tokens {@code [SEP]}, truncated to {@code max_length} ({@code [SEP]} stays last),
 *       padded with {@code [PAD]} to {@code max_length}; attention mask 1 on real tokens, 0 on padding;
 *       token type ids all 0.</li>
 * </ol>
 *
 * <p>Immutable and thread-safe once built.
 */
public final class WordPieceTokenizer {
  /** One sentence, encoded to {@code max_length} positions. */
  public static final class Encoding {
    /** Token ids, padded with the pad id. */
    public final long[] inputIds;
    /** 1 for real tokens ([CLS], the text, [SEP]), 0 for padding. */
    public final long[] attentionMask;
    /** All 0 (one sentence). */
    public final long[] tokenTypeIds;
    /** The real tokens as strings ([CLS] ... [SEP]), for people. */
    public final List<String> tokens;

    Encoding(long[] inputIds, long[] attentionMask, long[] tokenTypeIds, List<String> tokens) {
      this.inputIds = inputIds;
      this.attentionMask = attentionMask;
      this.tokenTypeIds = tokenTypeIds;
      this.tokens = tokens;
    }

    /**
     * The number of real tokens, [CLS] and [SEP] included.
     *
     * @return the count of 1s in the attention mask
     */
    public int length() {
      return tokens.size();
    }
  }

  private final Map<String, Integer> vocab;
  private final Manifest.TokenizerSpec spec;
  private final int clsId;
  private final int sepId;
  private final int padId;
  private final int unkId;

  /**
   * Builds a tokenizer from a vocabulary.
   *
   * @param vocabulary the tokens, id = position (vocab.txt's lines)
   * @param spec the manifest's tokenizer settings
   * @throws IllegalArgumentException when a special token is not in the vocabulary
   */
  public WordPieceTokenizer(List<String> vocabulary, Manifest.TokenizerSpec spec) {
    Map<String, Integer> v = new HashMap<>(vocabulary.size() * 2);
    for (int i = 0; i < vocabulary.size(); i++) {
      v.putIfAbsent(vocabulary.get(i), i);
    }
    this.vocab = Collections.unmodifiableMap(v);
    this.spec = spec;
    clsId = special(spec.clsToken, "cls_token");
    sepId = special(spec.sepToken, "sep_token");
    padId = special(spec.padToken, "pad_token");
    unkId = special(spec.unkToken, "unk_token");
  }

  private int special(String token, String field) {
    Integer id = vocab.get(token);
    if (id == null) {
      throw new IllegalArgumentException("tokenizer." + field + " '" + token + "' is not in the vocabulary ("
          + vocab.size() + " tokens): the bundle's vocab file does not belong to this tokenizer");
    }
    return id;
  }

  /**
   * Loads the bundle's vocabulary ({@code tokenizer.vocab}: one token a line, id = line index).
   *
   * @param bundleDir the bundle directory
   * @param spec the manifest's tokenizer
   * @return the tokenizer
   * @throws IOException when the vocabulary cannot be read
   */
  public static WordPieceTokenizer load(File bundleDir, Manifest.TokenizerSpec spec) throws IOException {
    File f = BundlePaths.resolve(bundleDir, "tokenizer.vocab", spec.vocab);
    if (!f.isFile()) {
      throw new IOException("the bundle's tokenizer vocabulary " + spec.vocab + " is missing from " + bundleDir);
    }
    return new WordPieceTokenizer(readVocab(f), spec);
  }

  /**
   * Reads a vocab.txt: one token a line (a trailing CR is dropped, other whitespace is kept).
   *
   * @param file the file
   * @return the tokens in id order
   * @throws IOException when it cannot be read
   */
  public static List<String> readVocab(File file) throws IOException {
    String text = new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8);
    List<String> out = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    for (int i = 0; i < out.size(); i++) {
      String t = out.get(i);
      if (t.endsWith("\r")) {
        out.set(i, t.substring(0, t.length() - 1));
      }
    }
    return out;
  }

  /** The settings this tokenizer follows. */
  public Manifest.TokenizerSpec spec() {
    return spec;
  }

  /**
   * Encodes one sentence: [CLS] tokens [SEP], truncated and padded to {@code max_length}.
   *
   * @param text any text (empty gives [CLS] [SEP])
   * @return ids, attention mask and token type ids, each {@code max_length} long
   */
  public Encoding encode(String text) {
    List<String> pieces = tokenize(text);
    int keep = Math.min(pieces.size(), spec.maxLength - 2);
    List<String> tokens = new ArrayList<>(keep + 2);
    tokens.add(spec.clsToken);
    tokens.addAll(pieces.subList(0, keep));
    tokens.add(spec.sepToken);
    int n = spec.maxLength;
    long[] ids = new long[n];
    long[] mask = new long[n];
    long[] types = new long[n];
    Arrays.fill(ids, padId);
    for (int i = 0; i < tokens.size(); i++) {
      ids[i] = id(tokens.get(i));
      mask[i] = 1;
    }
    return new Encoding(ids, mask, types, Collections.unmodifiableList(tokens));
  }

  /**
   * The WordPiece tokens of a text, without special tokens, truncation or padding.
   *
   * @param text any text
   * @return tokens such as "em", "##bed", "##ding", "[UNK]"
   */
  public List<String> tokenize(String text) {
    List<String> out = new ArrayList<>();
    for (String word : basicWords(normalize(text))) {
      wordPiece(word, out);
    }
    return out;
  }

  private int id(String token) {
    Integer id = vocab.get(token);
    return id == null ? unkId : id;
  }

  /**
   * BertNormalizer: clean, space out CJK, strip accents and lower-case (as the spec says).
   *
   * @param text the raw text
   * @return the normalised text
   */
  public String normalize(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
        continue;
      }
      if (isWhitespace(cp)) {
        sb.append(' ');
      } else if (isCjk(cp)) {
        sb.append(' ').appendCodePoint(cp).append(' ');
      } else {
        sb.appendCodePoint(cp);
      }
    }
    String s = sb.toString();
    if (spec.stripAccents) {
      String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
      StringBuilder kept = new StringBuilder(nfd.length());
      for (int i = 0; i < nfd.length(); ) {
        int cp = nfd.codePointAt(i);
        i += Character.charCount(cp);
        if (Character.getType(cp) != Character.NON_SPACING_MARK) {
          kept.appendCodePoint(cp);
        }
      }
      s = kept.toString();
    }
    if (spec.lowercase) {
      // Character by character, as the Rust library does (no context-dependent final sigma).
      StringBuilder lower = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); ) {
        int cp = s.codePointAt(i);
        i += Character.charCount(cp);
        lower.append(new String(Character.toChars(cp)).toLowerCase(Locale.ROOT));
      }
      s = lower.toString();
    }
    return s;
  }

  /** BertPreTokenizer: whitespace-separated words, each punctuation character a word of its own. */
  private static List<String> basicWords(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      if (isWhitespace(cp)) {
        flush(cur, words);
      } else if (isPunctuation(cp)) {
        flush(cur, words);
        words.add(new String(Character.toChars(cp)));
      } else {
        cur.appendCodePoint(cp);
      }
    }
    flush(cur, words);
    return words;
  }

  private static void flush(StringBuilder cur, List<String> words) {
    if (cur.length() > 0) {
      words.add(cur.toString());
      cur.setLength(0);
    }
  }

  /** Greedy longest-match-first WordPiece of one word, appended to {@code out}. */
  private void wordPiece(String word, List<String> out) {
    int[] cps = word.codePoints().toArray();
    if (cps.length > spec.maxCharsPerWord) {
      out.add(spec.unkToken);
      return;
    }
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < cps.length) {
      int end = cps.length;
      String found = null;
      while (start < end) {
        String sub = new String(cps, start, end - start);
        if (start > 0) {
          sub = spec.continuingPrefix + sub;
        }
        if (vocab.containsKey(sub)) {
          found = sub;
          break;
        }
        end--;
      }
      if (found == null) {
        out.add(spec.unkToken);
        return;
      }
      pieces.add(found);
      start = end;
    }
    out.addAll(pieces);
  }

  /** Rust's {@code char::is_whitespace} (Unicode White_Space), which the Hugging Face library uses. */
  static boolean isWhitespace(int cp) {
    return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
        || cp == 0x3000;
  }

  /** Unicode "other" (Cc, Cf, Cn, Co, Cs) except tab, LF and CR, which count as whitespace. */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.UNASSIGNED:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  /** ASCII punctuation (33-47, 58-64, 91-96, 123-126) or Unicode P*. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  /** The CJK Unified Ideographs blocks BERT spaces out (not kana or hangul). */
  static boolean isCjk(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }
}
