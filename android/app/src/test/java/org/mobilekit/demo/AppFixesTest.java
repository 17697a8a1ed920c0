package org.mobilekit.demo;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.robolectric.Shadows.shadowOf;

import android.app.Activity;
import android.content.Intent;
import android.graphics.Bitmap;
import android.graphics.Insets;
import android.net.Uri;
import android.os.SystemClock;
import android.provider.MediaStore;
import android.view.MotionEvent;
import android.view.View;
import android.view.WindowInsets;
import android.widget.ScrollView;
import android.widget.TextView;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import javax.imageio.ImageIO;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.robolectric.Robolectric;
import org.robolectric.RobolectricTestRunner;
import org.robolectric.RuntimeEnvironment;
import org.robolectric.android.controller.ActivityController;
import org.robolectric.annotation.Config;
import org.robolectric.shadows.ShadowActivity;
import org.robolectric.shadows.ShadowContentResolver;

/**
 * Issue 15's Android defects on the real demo screen: the camera's photo survives the activity being
 * recreated while the camera app runs (#9), a cancelled capture leaves no empty MediaStore entry (#9), a
 * vertical stroke on the drawing pad draws instead of scrolling the page (#10), a huge photo is decoded
 * sub-sampled on the worker thread (#11), and the screen pads for the system bars (#14).
 */
@RunWith(RobolectricTestRunner.class)
@Config(sdk = 35, manifest = Config.NONE)
public class AppFixesTest {
  private static ActivityController<MainActivity> openWithBundle() throws Exception {
    File bundle = ActivityTestSupport.bundle();
    File pushed = new File(new File(RuntimeEnvironment.getApplication().getExternalFilesDir(null), "bundles"),
        bundle.getName());
    ActivityTestSupport.copyDir(bundle, pushed);
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    TextView output = (TextView) c.get().getWindow().getDecorView().findViewWithTag("output");
    ActivityTestSupport.idleUntil("the bundle to load", 30_000, () -> output.getText().toString().contains("artifacts"));
    return c;
  }

  private static ShadowActivity.IntentForResult capture(MainActivity a) {
    a.getWindow().getDecorView().findViewWithTag("camera").performClick();
    ShadowActivity.IntentForResult started = shadowOf(a).getNextStartedActivityForResult();
    assertNotNull("the camera app was started", started);
    assertEquals(MediaStore.ACTION_IMAGE_CAPTURE, started.intent.getAction());
    return started;
  }

  @Test
  public void aCancelledCaptureDeletesItsEmptyMediaStoreEntry() throws Exception {
    ActivityController<MainActivity> c = openWithBundle();
    ShadowActivity.IntentForResult started = capture(c.get());
    Uri target = started.intent.getParcelableExtra(MediaStore.EXTRA_OUTPUT);
    assertNotNull("the capture writes into a MediaStore entry", target);
    shadowOf(c.get()).receiveResult(started.intent, Activity.RESULT_CANCELED, null);
    ShadowContentResolver resolver = shadowOf(c.get().getContentResolver());
    assertTrue("deleted: " + resolver.getDeletedUris(), resolver.getDeletedUris().contains(target));
  }

  @Test
  public void thePhotoSurvivesRecreationAndAHugePhotoIsDecodedSubSampled() throws Exception {
    ActivityController<MainActivity> c = openWithBundle();
    ShadowActivity.IntentForResult started = capture(c.get());
    Uri target = started.intent.getParcelableExtra(MediaStore.EXTRA_OUTPUT);
    // a 12-megapixel photo (4000 x 3000) is what the camera app writes
    BufferedImage img = new BufferedImage(4000, 3000, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] bytes = png.toByteArray();
    // The camera app runs while the system destroys this activity; it comes back from its saved state.
    c.recreate();
    MainActivity again = c.get();
    TextView output = (TextView) again.getWindow().getDecorView().findViewWithTag("output");
    ActivityTestSupport.idleUntil("the bundle to load again", 30_000, () -> output.getText().toString().contains("artifacts"));
    ((android.widget.Spinner) again.getWindow().getDecorView().findViewWithTag("runtime")).setSelection(2); // ORT
    ((android.widget.Spinner) again.getWindow().getDecorView().findViewWithTag("runs")).setSelection(1); // 1 run
    ActivityTestSupport.idleUntil("the ORT artifact", 10_000, () -> String.valueOf(((android.widget.Spinner)
        again.getWindow().getDecorView().findViewWithTag("artifact")).getSelectedItem()).contains(".onnx"));
    // Each open of the photo gets its own stream (bounds first, then the pixels, then EXIF).
    shadowOf(again.getContentResolver()).registerInputStreamSupplier(target, () -> new ByteArrayInputStream(bytes));
    shadowOf(again).receiveResult(started.intent, Activity.RESULT_OK, new Intent());
    DrawView pad = findDrawView(again.getWindow().getDecorView());
    ActivityTestSupport.idleUntil("the photo to be shown", 30_000, () -> pad.shownPicture() != null);
    Bitmap shown = pad.shownPicture();
    // digits' input is 28 pixels: the shorter side keeps >= 56, the longer stays <= 2048: 4000x3000 / 32
    assertEquals(125, shown.getWidth());
    assertEquals(93, shown.getHeight());
    ActivityTestSupport.idleUntil("a classification of the photo", 60_000,
        () -> output.getText().toString().contains("median") || output.getText().toString().startsWith("Failed"));
    assertTrue(output.getText().toString(), output.getText().toString().contains("median"));
    System.out.println("FIGURE robolectric_photo decoded=" + shown.getWidth() + "x" + shown.getHeight()
        + " from=4000x3000 after_recreate=true");
  }

  @Test
  public void aVerticalStrokeDrawsInsteadOfScrolling() throws Exception {
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    ScrollView scroll = (ScrollView) c.get().getWindow().getDecorView().findViewWithTag("scroll");
    DrawView pad = findDrawView(scroll);
    scroll.measure(View.MeasureSpec.makeMeasureSpec(1080, View.MeasureSpec.EXACTLY),
        View.MeasureSpec.makeMeasureSpec(800, View.MeasureSpec.EXACTLY));
    scroll.layout(0, 0, 1080, 800);
    int[] at = new int[2];
    pad.getLocationInWindow(at);
    int[] sc = new int[2];
    scroll.getLocationInWindow(sc);
    float x = at[0] - sc[0] + pad.getWidth() / 2f;
    float y0 = at[1] - sc[1] + 40;
    long t = SystemClock.uptimeMillis();
    scroll.dispatchTouchEvent(MotionEvent.obtain(t, t, MotionEvent.ACTION_DOWN, x, y0, 0));
    for (int i = 1; i <= 10; i++) { // 300 px straight down, far past the touch slop
      scroll.dispatchTouchEvent(MotionEvent.obtain(t, t + 16 * i, MotionEvent.ACTION_MOVE, x, y0 + 30 * i, 0));
    }
    scroll.dispatchTouchEvent(MotionEvent.obtain(t, t + 200, MotionEvent.ACTION_UP, x, y0 + 300, 0));
    assertEquals("every point of the stroke reached the pad", 11, pad.strokePoints());
    assertEquals("the page did not scroll", 0, scroll.getScrollY());
  }

  @Test
  public void theScreenPadsForTheSystemBars() {
    ActivityController<MainActivity> c = Robolectric.buildActivity(MainActivity.class).setup();
    ScrollView scroll = (ScrollView) c.get().getWindow().getDecorView().findViewWithTag("scroll");
    WindowInsets insets = new WindowInsets.Builder()
        .setInsets(WindowInsets.Type.statusBars(), Insets.of(0, 96, 0, 0))
        .setInsets(WindowInsets.Type.navigationBars(), Insets.of(0, 0, 0, 144))
        .setInsets(WindowInsets.Type.ime(), Insets.of(0, 0, 0, 700))
        .build();
    scroll.dispatchApplyWindowInsets(insets);
    assertEquals(24 + 96, scroll.getPaddingTop());
    assertEquals(24 + 700, scroll.getPaddingBottom()); // the keyboard covers the navigation bar
    assertEquals(24, scroll.getPaddingLeft());
  }

  static DrawView findDrawView(View v) {
    if (v instanceof DrawView) {
      return (DrawView) v;
    }
    if (v instanceof android.view.ViewGroup) {
      android.view.ViewGroup g = (android.view.ViewGroup) v;
      for (int i = 0; i < g.getChildCount(); i++) {
        DrawView d = findDrawView(g.getChildAt(i));
        if (d != null) {
          return d;
        }
      }
    }
    return null;
  }
}
