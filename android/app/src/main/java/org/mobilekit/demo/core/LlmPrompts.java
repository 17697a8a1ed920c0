package org.mobilekit.demo.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * An LLM bundle's {@code prompts.json} (schemas/prompts.schema.json, {@code mobilekit.prompts/1}): the
 * benchmark prompts and, per artifact, the host's greedy continuation to check the phone's text against.
 */
public final class LlmPrompts {
  /** The only prompts version this app reads. */
  public static final String SCHEMA = "mobilekit.prompts/1";

  /** The host's greedy output for one artifact. */
  public static final class Expected {
    public final String file;
    public final int maxNewTokens;
    public final int[] tokenIds;
    public final String text;
    /** eos or max_tokens, or null. */
    public final String stopReason;

    Expected(String file, int maxNewTokens, int[] tokenIds, String text, String stopReason) {
      this.file = file;
      this.maxNewTokens = maxNewTokens;
      this.tokenIds = tokenIds;
      this.text = text;
      this.stopReason = stopReason;
    }
  }

  /** One benchmark prompt. */
  public static final class Prompt {
    public final String id;
    /** The user's text (chat) or the raw prompt. */
    public final String text;
    /** Render the manifest's prompt_format around {@link #text} first. */
    public final boolean chat;
    /** Tokens after templating and tokenizing (BOS included when add_bos). */
    public final int promptTokens;
    /** The exact string the host tokenized, or null. */
    public final String rendered;
    public final List<Expected> expected;

    Prompt(String id, String text, boolean chat, int promptTokens, String rendered, List<Expected> expected) {
      this.id = id;
      this.text = text;
      this.chat = chat;
      this.promptTokens = promptTokens;
      this.rendered = rendered;
      this.expected = expected;
    }

    /**
     * The string to tokenize: {@link #text} inside the chat template (chat prompts), else as is.
     *
     * @param spec the manifest's llm block
     * @return the prompt string
     */
    public String render(LlmSpec spec) {
      return chat ? spec.promptFormat.render(null, Collections.<String[]>emptyList(), text) : text;
    }

    /**
     * The host's greedy output for an artifact and a token budget.
     *
     * @param file the artifact's file
     * @param maxNewTokens the budget asked for
     * @return the entry with that file and budget (else that file's largest budget, whose first tokens
     *     are the same greedy tokens), or null
     */
    public Expected expectedFor(String file, int maxNewTokens) {
      Expected best = null;
      for (Expected e : expected) {
        if (!e.file.equals(file)) {
          continue;
        }
        if (e.maxNewTokens == maxNewTokens) {
          return e;
        }
        if (best == null || e.maxNewTokens > best.maxNewTokens) {
          best = e;
        }
      }
      return best;
    }
  }

  public final int maxNewTokens;
  public final List<Prompt> prompts;

  private LlmPrompts(int maxNewTokens, List<Prompt> prompts) {
    this.maxNewTokens = maxNewTokens;
    this.prompts = prompts;
  }

  /**
   * Reads prompts.json.
   *
   * @param file the file (resolved inside the bundle by the caller)
   * @return the prompts
   * @throws IOException when it cannot be read
   * @throws IllegalArgumentException when it is not a {@code mobilekit.prompts/1} document
   */
  public static LlmPrompts load(File file) throws IOException {
    return parse(new String(Files.readAllBytes(file.toPath()), StandardCharsets.UTF_8));
  }

  /**
   * Parses prompts.json text.
   *
   * @param json the text
   * @return the prompts
   * @throws IllegalArgumentException when the text is not a {@code mobilekit.prompts/1} document
   */
  public static LlmPrompts parse(String json) {
    try {
      JSONObject o = new JSONObject(json);
      if (!SCHEMA.equals(o.optString("schema"))) {
        throw new IllegalArgumentException("prompts file schema is '" + o.optString("schema") + "', this app reads "
            + SCHEMA);
      }
      List<Prompt> out = new ArrayList<>();
      JSONArray ps = o.getJSONArray("prompts");
      for (int i = 0; i < ps.length(); i++) {
        JSONObject p = ps.getJSONObject(i);
        List<Expected> exp = new ArrayList<>();
        JSONArray es = p.optJSONArray("expected");
        for (int j = 0; es != null && j < es.length(); j++) {
          JSONObject e = es.getJSONObject(j);
          JSONArray ids = e.getJSONArray("token_ids");
          int[] t = new int[ids.length()];
          for (int k = 0; k < t.length; k++) {
            t[k] = ids.getInt(k);
          }
          exp.add(new Expected(e.getString("file"), e.getInt("max_new_tokens"), t, e.getString("text"),
              Manifest.optString(e, "stop_reason")));
        }
        out.add(new Prompt(p.getString("id"), p.getString("text"), p.getBoolean("chat"), p.getInt("prompt_tokens"),
            Manifest.optString(p, "rendered"), Collections.unmodifiableList(exp)));
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("prompts file has no prompts");
      }
      return new LlmPrompts(o.getInt("max_new_tokens"), Collections.unmodifiableList(out));
    } catch (JSONException e) {
      throw new IllegalArgumentException("prompts file is not a valid " + SCHEMA + ": " + e.getMessage(), e);
    }
  }

  /**
   * The prompts a case asks for.
   *
   * @param ids comma-separated prompt ids, or null/empty for all
   * @return them, in the order asked
   * @throws IllegalArgumentException for an unknown id (the message lists the known ones)
   */
  public List<Prompt> select(String ids) {
    if (ids == null || ids.trim().isEmpty()) {
      return prompts;
    }
    List<Prompt> out = new ArrayList<>();
    for (String id : ids.split(",")) {
      String want = id.trim();
      Prompt found = null;
      for (Prompt p : prompts) {
        if (p.id.equals(want)) {
          found = p;
        }
      }
      if (found == null) {
        List<String> known = new ArrayList<>();
        for (Prompt p : prompts) {
          known.add(p.id);
        }
        throw new IllegalArgumentException("unknown prompt id '" + want + "': the prompts file has " + known);
      }
      out.add(found);
    }
    return out;
  }
}
