package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import android.view.View;
import android.widget.EditText;
import android.widget.Spinner;
import android.widget.TextView;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.After;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mobilekit.demo.core.FakeLlm;
import org.mobilekit.demo.core.LlmEngines;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * The real chat screen on the JVM with a fake engine behind LlmEngines (no LLM runtime loads on a desktop
 * JVM): it lists a pushed LLM bundle, loads an artifact, sends the message inside the manifest's chat
 * template (the exact string SmolLM2's own Jinja template gives, tests/apps/data/llm_golden.json), streams
 * the answer token by token, shows tokens, tok/s and TTFT under it, sends the second turn with the first in
 * the template, and Stop ends an answer early.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class ChatActivityTest {
  private final List<FakeLlm> opened = new ArrayList<>();

  @After
  public void realEngines() {
    LlmEngines.setFactoryForTests(null);
  }

  private ActivityController<ChatActivity> open(long tokenDelayMs) throws Exception {
    String p = System.getProperty("mobilekit.llm_bundle", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.llm_bundle (tests/apps does)", !p.isEmpty());
    File bundle = new File(p);
    File pushed = new File(new File(RuntimeEnvironment.getApplication().getExternalFilesDir(null), "bundles"),
        bundle.getName());
    copyTree(bundle, pushed);
    LlmEngines.setFactoryForTests((dir, manifest, artifact, threads) -> {
      FakeLlm f = new FakeLlm(FakeLlm.golden(), 20, tokenDelayMs);
      opened.add(f);
      return f;
    });
    ActivityController<ChatActivity> c = Robolectric.buildActivity(ChatActivity.class).setup();
    TextView status = view(c, "status");
    ActivityTestSupport.idleUntil("the artifact to load", 30_000, () -> status.getText().toString().contains("loaded in"));
    return c;
  }

  @SuppressWarnings("unchecked")
  private static <T extends View> T view(ActivityController<ChatActivity> c, String tag) {
    return (T) c.get().getWindow().getDecorView().findViewWithTag(tag);
  }

  static JSONObject goldenCase(String id) throws Exception {
    JSONArray cases = new JSONObject(new String(Files.readAllBytes(FakeLlm.golden().toPath()), StandardCharsets.UTF_8))
        .getJSONArray("cases");
    for (int i = 0; i < cases.length(); i++) {
      if (cases.getJSONObject(i).getString("id").equals(id)) {
        return cases.getJSONObject(i);
      }
    }
    throw new AssertionError(id);
  }

  @Test
  public void aMessageStreamsAnAnswerInTheTemplateWithItsFigures() throws Exception {
    ActivityController<ChatActivity> c = open(40);
    Spinner artifacts = view(c, "artifact");
    assertEquals(2, artifacts.getCount()); // the .pte and the ORT GenAI folder
    JSONObject capital = goldenCase("capital");
    EditText prompt = view(c, "prompt");
    TextView transcript = view(c, "transcript");
    prompt.setText(capital.getString("text"));
    view(c, "send").performClick();
    String answer = capital.getJSONObject("answer").getString("text");
    // streaming: part of the answer is on screen before all of it
    ActivityTestSupport.idleUntil("the first tokens", 20_000, () -> transcript.getText().toString().contains("model: The"));
    String partial = transcript.getText().toString();
    assertFalse(partial, partial.contains(answer));
    assertTrue(view(c, "stop").isEnabled());
    ActivityTestSupport.idleUntil("the whole answer", 20_000, () -> transcript.getText().toString().contains("tok/s"));
    String shown = transcript.getText().toString();
    assertTrue(shown, shown.contains("model: " + answer + "\n"));
    assertTrue(shown, shown.matches("(?s).*\\[8 tokens \u00b7 [0-9.]+ tok/s decode \u00b7 [0-9.]+ tok/s prefill "
        + "\u00b7 TTFT [0-9]+ ms \u00b7 eos\\].*"));
    assertFalse(shown, shown.contains("<|im_end|>"));
    FakeLlm engine = opened.get(0);
    assertEquals(capital.getString("rendered"), engine.prompts.get(0)); // the manifest's chat template

    // the second turn carries the first in the template
    prompt.setText("And of Italy?");
    view(c, "send").performClick();
    ActivityTestSupport.idleUntil("the second answer", 20_000,
        () -> transcript.getText().toString().split("tok/s decode").length == 3);
    String second = engine.prompts.get(1);
    assertTrue(second, second.startsWith(capital.getString("rendered") + answer + "<|im_end|>\n<|im_start|>user\n"
        + "And of Italy?<|im_end|>\n<|im_start|>assistant\n"));
    System.out.println("FIGURE robolectric_chat answer='" + answer + "' figures='"
        + shown.substring(shown.indexOf('[') + 1, shown.indexOf(']')) + "'");
  }

  @Test
  public void stopEndsTheAnswerEarly() throws Exception {
    ActivityController<ChatActivity> c = open(250);
    EditText prompt = view(c, "prompt");
    TextView transcript = view(c, "transcript");
    prompt.setText("Anything");
    view(c, "send").performClick();
    ActivityTestSupport.idleUntil("the first token", 20_000, () -> transcript.getText().toString().contains("model: I"));
    view(c, "stop").performClick();
    ActivityTestSupport.idleUntil("the stopped answer", 20_000, () -> transcript.getText().toString().contains("stopped]"));
    String shown = transcript.getText().toString();
    assertFalse(shown, shown.contains("I do not know."));
    assertTrue(view(c, "send").isEnabled());
    assertFalse(view(c, "stop").isEnabled());
  }

  private static void copyTree(File from, File to) throws Exception {
    to.mkdirs();
    for (File f : from.listFiles()) {
      File t = new File(to, f.getName());
      if (f.isDirectory()) {
        copyTree(f, t);
      } else {
        Files.copy(f.toPath(), t.toPath(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
