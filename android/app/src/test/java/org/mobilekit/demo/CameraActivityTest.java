package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.Manifest;
import android.content.Intent;
import android.widget.Spinner;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.mobilekit.demo.core.CameraFrame;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;

/**
 * The live camera screen on the JVM. Robolectric has no camera hardware or GPU preview, so the frames
 * are handed in where the ImageReader's would arrive ({@code submitFrame}): a real digit picture as a
 * sensor would deliver it (YUV 4:2:0, mounted at 90 degrees; tests/apps/android_camera.py). The screen
 * must show the digit the eager PyTorch model sees, three labels, FPS and inference milliseconds; the
 * runtime switch must change what runs (ExecuTorch cannot run on a desktop JVM and says so; ONNX Runtime
 * comes back). Without the camera permission it asks for it.
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class CameraActivityTest {
  static CameraFrame digitFrame(JSONObject[] meta) throws Exception {
    String p = System.getProperty("mobilekit.camera", "");
    org.junit.Assume.assumeTrue("set -Dmobilekit.camera (tests/apps does)", !p.isEmpty());
    File ref = new File(p);
    JSONObject doc = new JSONObject(ActivityTestSupport.read(new File(ref, "camera.json")));
    JSONArray frames = doc.getJSONArray("frames");
    for (int i = 0; i < frames.length(); i++) {
      JSONObject f = frames.getJSONObject(i);
      if (f.getString("name").equals("digit_r90")) {
        meta[0] = doc;
        int w = f.getInt("width");
        int h = f.getInt("height");
        File dir = new File(ref, "frames");
        return new CameraFrame(w, h, ByteBuffer.wrap(Files.readAllBytes(new File(dir, "digit_r90.y").toPath())), w, 1,
            ByteBuffer.wrap(Files.readAllBytes(new File(dir, "digit_r90.u").toPath())),
            ByteBuffer.wrap(Files.readAllBytes(new File(dir, "digit_r90.v").toPath())), (w + 1) / 2, 1,
            f.getInt("rotation"));
      }
    }
    throw new AssertionError("no digit frame in " + ref);
  }

  @Test
  public void framesAreClassifiedLiveAndTheRuntimeSwitchChangesWhatRuns() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    JSONObject[] meta = new JSONObject[1];
    CameraFrame frame = digitFrame(meta);
    int expected = meta[0].getInt("digit_eager_top1");
    List<String> labels = Files.readAllLines(new File(bundle, "labels.txt").toPath());
    shadowOf(RuntimeEnvironment.getApplication()).grantPermissions(Manifest.permission.CAMERA);
    String ort = ActivityTestSupport.onnxArtifact(bundle);
    Intent intent = new Intent(RuntimeEnvironment.getApplication(), CameraActivity.class)
        .putExtra(CameraActivity.EXTRA_BUNDLE, bundle.getPath()).putExtra(CameraActivity.EXTRA_ARTIFACT, ort);
    ActivityController<CameraActivity> c = Robolectric.buildActivity(CameraActivity.class, intent).setup();
    CameraActivity a = c.get();
    Spinner artifacts = (Spinner) a.getWindow().getDecorView().findViewWithTag("artifact");
    ActivityTestSupport.idleUntil("the artifact list", 20_000, () -> artifacts.getCount() >= 2);
    assertTrue(String.valueOf(artifacts.getSelectedItem()), String.valueOf(artifacts.getSelectedItem()).contains(ort));

    for (int i = 0; i < 3; i++) { // a few frames: the FPS figure needs two
      a.submitFrame(frame);
      ActivityTestSupport.idleUntil("frame " + i, 30_000, () -> a.overlayText().contains("FPS"));
    }
    ActivityTestSupport.idleUntil("an FPS figure", 30_000, () -> !a.overlayText().contains("-- FPS"));
    String shown = a.overlayText();
    String[] lines = shown.split("\n");
    assertTrue(shown, lines[0].startsWith(labels.get(expected).trim()));
    assertTrue(shown, lines[3].matches("[0-9.]+ FPS  inference [0-9.]+ ms  preprocess [0-9.]+ ms"));
    assertTrue(shown, lines[4].startsWith("onnxruntime"));
    System.out.println("FIGURE robolectric_camera top1_line='" + lines[0].trim() + "' expected='"
        + labels.get(expected) + "' figures='" + lines[3] + "'");

    // the runtime switch: an ExecuTorch artifact is loaded for the next frame (it cannot run on this JVM)
    int executorch = -1;
    for (int i = 0; i < artifacts.getCount(); i++) {
      if (String.valueOf(artifacts.getItemAtPosition(i)).startsWith("executorch")) {
        executorch = i;
      }
    }
    artifacts.setSelection(executorch);
    shadowOf(android.os.Looper.getMainLooper()).idle();
    a.submitFrame(frame);
    ActivityTestSupport.idleUntil("the ExecuTorch artifact", 30_000, () -> a.overlayText().contains("cannot run here"));
    assertTrue(a.overlayText(), a.overlayText().contains("ExecuTorch"));
    for (int i = 0; i < artifacts.getCount(); i++) {
      if (String.valueOf(artifacts.getItemAtPosition(i)).contains(ort)) {
        artifacts.setSelection(i);
      }
    }
    shadowOf(android.os.Looper.getMainLooper()).idle();
    a.submitFrame(frame);
    ActivityTestSupport.idleUntil("ONNX Runtime again", 30_000, () -> a.overlayText().contains("inference"));
    c.pause().stop().destroy();
  }

  @Test
  public void withoutThePermissionItAsks() {
    ActivityController<CameraActivity> c = Robolectric.buildActivity(CameraActivity.class).setup();
    String[] asked = shadowOf(c.get()).getLastRequestedPermission().requestedPermissions;
    assertEquals(Manifest.permission.CAMERA, asked[0]);
    assertTrue(c.get().overlayText(), c.get().overlayText().contains("camera permission")
        || c.get().overlayText().contains("bundle"));
  }
}
