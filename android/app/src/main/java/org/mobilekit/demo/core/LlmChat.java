package org.mobilekit.demo.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A conversation with one LLM artifact, in plain Java (the chat screen only draws): each message is
 * rendered with the manifest's chat template around the whole conversation so far, generated greedily, and
 * kept with its figures. Not thread-safe: one background thread calls {@link #send}; {@link #stop} may come
 * from the UI thread.
 */
public final class LlmChat {
  private final LlmEngine engine;
  private final LlmSpec spec;
  private final List<String[]> history = new ArrayList<>();
  private String system;

  /**
   * @param engine the loaded artifact
   * @param spec the manifest's llm block
   */
  public LlmChat(LlmEngine engine, LlmSpec spec) {
    this.engine = engine;
    this.spec = spec;
  }

  /**
   * Sets the system text (null: the manifest's default_system).
   *
   * @param text the system prompt
   */
  public void setSystem(String text) {
    system = text;
  }

  /**
   * The prompt the next message would send (for people who want to see the template at work).
   *
   * @param userText the message
   * @return the rendered conversation
   */
  public String render(String userText) {
    return spec.promptFormat.render(system, history, userText);
  }

  /**
   * Sends a message and streams the answer.
   *
   * @param userText the message
   * @param listener each piece as it comes
   * @return the answer with its figures; a stopped answer is kept in the conversation as far as it came
   * @throws Exception when generation fails (the conversation is unchanged)
   */
  public LlmGeneration send(String userText, LlmEngine.TokenListener listener) throws Exception {
    LlmGeneration g = engine.generate(render(userText), -1, spec.maxSeqLen, listener);
    history.add(new String[] {userText, g.text});
    return g;
  }

  /** Stops the answer being generated. */
  public void stop() {
    engine.stop();
  }

  /** Forgets the conversation. */
  public void reset() {
    history.clear();
  }

  /** The exchanges so far: {user text, answer}, oldest first. */
  public List<String[]> history() {
    return Collections.unmodifiableList(history);
  }
}
