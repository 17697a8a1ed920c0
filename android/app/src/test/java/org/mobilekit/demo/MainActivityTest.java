package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.view.View;
import android.widget.EditText;
import android.widget.Spinner;
import android.widget.TextView;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.json.JSONObject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * The real demo screen on the JVM: it finds a bundle under {@code <external-files>/bundles/}, the
 * runtime filter picks ONNX Runtime, "Sample" classifies the bundle's own sample input, and the screen
 * shows the expected top-1 label with the median and p90 latency. A text bundle (MiniLM, two int64
 * inputs, a tokenizer) shows a text field instead of the drawing, and two typed sentences give two
 * unit-norm embeddings and their cosine.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class MainActivityTest {
  @Test
  public void loadsABundleAndShowsTheTop1Label() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    File pushed = new File(new File(RuntimeEnvironment.getApplication().getExternalFilesDir(null), "bundles"),
        bundle.getName());
    ActivityTestSupport.copyDir(bundle, pushed);
    JSONObject manifest = new JSONObject(ActivityTestSupport.read(new File(bundle, "manifest.json")));
    int expected = manifest.getJSONObject("sample").getInt("expected_top1");
    List<String> labels = Files.readAllLines(new File(bundle, manifest.getString("labels")).toPath(),
        StandardCharsets.UTF_8);

    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    View root = c.get().getWindow().getDecorView();
    TextView output = (TextView) root.findViewWithTag("output");
    String name = manifest.getString("name");
    ActivityTestSupport.idleUntil("the bundle to load", 30_000,
        () -> output.getText().toString().startsWith(name + ":"));
    Spinner runtime = (Spinner) root.findViewWithTag("runtime");
    runtime.setSelection(2); // onnxruntime: the runtime that runs on a desktop JVM
    Spinner runs = (Spinner) root.findViewWithTag("runs");
    runs.setSelection(2); // 5 runs
    ActivityTestSupport.idleUntil("the artifact list", 10_000,
        () -> ((Spinner) root.findViewWithTag("artifact")).getCount() >= 1);
    String artifact = ((Spinner) root.findViewWithTag("artifact")).getSelectedItem().toString();
    assertTrue(artifact, artifact.contains(".onnx"));
    root.findViewWithTag("sample").performClick();
    ActivityTestSupport.idleUntil("a classification", 60_000,
        () -> output.getText().toString().contains("median"));
    String text = output.getText().toString();
    String top = text.split("\n")[0].trim();
    assertTrue(text, top.startsWith(labels.get(expected).trim()));
    assertTrue(text, text.contains("over 5 runs"));
    System.out.println("FIGURE robolectric_main top1_line='" + top + "' expected='" + labels.get(expected) + "'");
    assertEquals(3, ((Spinner) root.findViewWithTag("runtime")).getCount());
  }

  @Test
  public void aTextBundleTakesSentencesAndShowsEmbeddings() throws Exception {
    String p = System.getProperty("mobilekit.text_bundle", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.text_bundle (tests/apps does)", !p.isEmpty());
    File bundle = new File(p);
    File pushed = new File(new File(RuntimeEnvironment.getApplication().getExternalFilesDir(null), "bundles"),
        bundle.getName());
    ActivityTestSupport.copyDir(bundle, pushed);
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    View root = c.get().getWindow().getDecorView();
    TextView output = (TextView) root.findViewWithTag("output");
    ActivityTestSupport.idleUntil("the text bundle to load", 30_000,
        () -> output.getText().toString().startsWith("minilm_l6:"));
    EditText text = (EditText) root.findViewWithTag("text");
    assertEquals(View.VISIBLE, ((View) text.getParent()).getVisibility());
    assertTrue(output.getText().toString(), output.getText().toString().contains("Type a sentence"));
    assertEquals("A man is eating food.", text.getText().toString()); // the bundle's sample sentence
    ((Spinner) root.findViewWithTag("runs")).setSelection(1); // 1 run
    text.setText("A man is eating a piece of bread.");
    root.findViewWithTag("embed").performClick();
    ActivityTestSupport.idleUntil("an embedding", 60_000, () -> output.getText().toString().contains("median"));
    String first = output.getText().toString();
    assertTrue(first, first.contains("embedding: 384 values, norm 1.0000"));
    assertTrue(first, first.contains("type another sentence"));
    text.setText("A man is riding a horse.");
    root.findViewWithTag("embed").performClick();
    ActivityTestSupport.idleUntil("a second embedding", 60_000,
        () -> output.getText().toString().contains("cosine with \"A man is eating a piece of bread.\""));
    String second = output.getText().toString();
    root.findViewWithTag("sample").performClick();
    ActivityTestSupport.idleUntil("the sample", 60_000,
        () -> output.getText().toString().contains("cosine with the host's FP32 output"));
    String sample = output.getText().toString();
    assertTrue(sample, sample.contains("(ok)"));
    System.out.println("FIGURE robolectric_text " + second.split("\n")[3].trim().replace('"', '\'') + " sample_ok=true");
  }
}
