package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A text bundle on the phone: its {@link WordPieceTokenizer} and the mapping of one encoded sentence
 * onto the model's inputs ({@code tokenizer.inputs} names, else each input's {@code role}), each in the
 * input's own integer dtype. Used by the demo screen (type a sentence, see its embedding) and by tests;
 * the benchmark feeds the bundle's sample files instead.
 */
public final class TextModel {
  private final Manifest manifest;
  private final WordPieceTokenizer tokenizer;

  /**
   * @param manifest a manifest with a {@code tokenizer}
   * @param tokenizer its tokenizer (from {@link WordPieceTokenizer#load})
   */
  public TextModel(Manifest manifest, WordPieceTokenizer tokenizer) {
    this.manifest = manifest;
    this.tokenizer = tokenizer;
  }

  /**
   * Loads the bundle's tokenizer.
   *
   * @param bundleDir the bundle directory
   * @param manifest its manifest
   * @return the text model
   * @throws IllegalArgumentException when the bundle has no tokenizer ({@link #missingTokenizer} says why)
   * @throws IOException when the vocabulary cannot be read
   */
  public static TextModel load(File bundleDir, Manifest manifest) throws IOException {
    if (manifest.tokenizer == null) {
      throw new IllegalArgumentException(missingTokenizer(manifest));
    }
    return new TextModel(manifest, WordPieceTokenizer.load(bundleDir, manifest.tokenizer));
  }

  /**
   * The sentence to show when a model takes integer inputs but the bundle ships no tokenizer.
   *
   * @param manifest the manifest
   * @return a plain-words explanation, or null when there is nothing to explain
   */
  public static String missingTokenizer(Manifest manifest) {
    if (manifest.tokenizer != null || !manifest.hasIntegerInputs()) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (Manifest.Input in : manifest.inputs) {
      if (in.isInteger()) {
        names.add(in.name + " (" + in.dtype + ")");
      }
    }
    return manifest.name + " takes integer inputs " + names + " (token ids), but the bundle has no tokenizer "
        + "vocabulary, so this app cannot turn text into them. Re-export it with --tokenizer (e.g. mobilekit export "
        + "... --tokenizer <folder with vocab.txt or tokenizer.json>). The bundle's sample still runs.";
  }

  /** The tokenizer. */
  public WordPieceTokenizer tokenizer() {
    return tokenizer;
  }

  /**
   * Encodes a sentence into every model input, in manifest order.
   *
   * @param text the sentence
   * @return one tensor per input
   * @throws IllegalArgumentException when an input is neither ids, mask nor segment ids and is not float
   */
  public List<InputTensor> inputs(String text) {
    return inputs(tokenizer.encode(text));
  }

  /**
   * Maps an encoding onto every model input, in manifest order.
   *
   * @param e the encoding
   * @return one tensor per input
   * @throws IllegalArgumentException when an input is neither ids, mask nor segment ids and is not float, or
   *     its shape does not hold {@code max_length} tokens
   */
  public List<InputTensor> inputs(WordPieceTokenizer.Encoding e) {
    Manifest.TokenizerSpec spec = tokenizer.spec();
    List<InputTensor> out = new ArrayList<>();
    for (Manifest.Input in : manifest.inputs) {
      long[] values;
      if (in.name.equals(spec.inputIds) || "input_ids".equals(in.role)) {
        values = e.inputIds;
      } else if (in.name.equals(spec.attentionMask) || "attention_mask".equals(in.role)) {
        values = e.attentionMask;
      } else if (in.name.equals(spec.tokenTypeIds) || "token_type_ids".equals(in.role)) {
        values = e.tokenTypeIds;
      } else if (!in.isInteger()) {
        out.add(InputTensor.zeros(in));
        continue;
      } else {
        throw new IllegalArgumentException("input '" + in.name + "' (" + in.dtype + ", role " + in.role + ") is not "
            + "fed by the tokenizer (tokenizer.inputs names " + spec.inputIds + ", " + spec.attentionMask + ", "
            + spec.tokenTypeIds + ")");
      }
      out.add(InputTensor.ofLongs(in.name, in.dtype, shape(in, values.length), values));
    }
    return out;
  }

  /** The input's shape for {@code n} tokens: a dynamic sequence dimension takes n, others 1. */
  private static long[] shape(Manifest.Input in, int n) {
    long[] s = in.shape.clone();
    for (int i = 0; i < s.length; i++) {
      if (s[i] < 0) {
        s[i] = i == s.length - 1 ? n : 1;
      }
    }
    if (Tensors.numel(s) != n) {
      throw new IllegalArgumentException("input '" + in.name + "' has shape " + Arrays.toString(in.shape)
          + " but the tokenizer makes " + n + " tokens (tokenizer.max_length): the manifest disagrees with itself");
    }
    return s;
  }

  /**
   * What the demo shows for an embedding: size, L2 norm, the first values, and the cosine with the
   * previous sentence's embedding.
   *
   * @param embedding outputs[0]
   * @param previous the previous sentence's embedding, or null
   * @param previousText the previous sentence, or null
   * @return a few lines of text
   */
  public static String describe(float[] embedding, float[] previous, String previousText) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.US, "embedding: %d values, norm %.4f%nfirst: ", embedding.length,
        OutputCheck.norm(embedding)));
    for (int i = 0; i < Math.min(5, embedding.length); i++) {
      sb.append(String.format(Locale.US, "%s%.4f", i == 0 ? "" : ", ", embedding[i]));
    }
    sb.append('\n');
    if (previous != null && previous.length == embedding.length) {
      sb.append(String.format(Locale.US, "cosine with \"%s\": %.4f%n", previousText, OutputCheck.cosine(embedding,
          previous)));
    } else {
      sb.append("type another sentence to see their cosine similarity\n");
    }
    return sb.toString();
  }
}
