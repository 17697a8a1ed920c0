package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import android.view.View;
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
 * shows the expected top-1 label with the median and p90 latency.
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
}
