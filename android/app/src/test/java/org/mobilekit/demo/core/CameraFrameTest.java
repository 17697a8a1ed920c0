package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * The camera screen's frame-to-tensor code against Python's preprocess on real photographs
 * (tests/apps/android_camera.py: scikit-image's astronaut, chelsea, coffee and rocket as YUV 4:2:0 sensor
 * frames at 0/90/180/270 degrees, through four manifest specs: ImageNet keep_aspect + crop, the digits
 * spec, squash + crop, BGR bicubic keep_aspect). Each frame is fed in three plane layouts a phone may
 * give (planar I420 with padded rows, NV21 and NV12 with interleaved chroma), and every tensor value must
 * be within one 8-bit level (1/255 of the pixel range) of Python's.
 */
public class CameraFrameTest {
  /** One 8-bit level, in pixel units (value * std / scale, as 0..255). */
  static final double ONE_LEVEL = 1.0 + 1e-3;

  static File reference() {
    return TestFiles.dir("mobilekit.camera");
  }

  static byte[] read(File f) throws Exception {
    return Files.readAllBytes(f.toPath());
  }

  /** The three layouts of the same planes: I420 with padded rows, NV21 (V first), NV12 (U first). */
  static List<CameraFrame> layouts(byte[] y, byte[] u, byte[] v, int w, int h, int rotation) {
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    // I420, rows padded to a multiple of 64 as many camera HALs do; padding bytes are garbage
    int yStride = (w + 63) / 64 * 64;
    int cStride = (cw + 63) / 64 * 64;
    byte[] yp = new byte[yStride * (h - 1) + w];
    Arrays.fill(yp, (byte) 0x5a);
    for (int r = 0; r < h; r++) {
      System.arraycopy(y, r * w, yp, r * yStride, w);
    }
    byte[] up = new byte[cStride * (ch - 1) + cw];
    byte[] vp = new byte[cStride * (ch - 1) + cw];
    Arrays.fill(up, (byte) 0xa5);
    Arrays.fill(vp, (byte) 0x33);
    for (int r = 0; r < ch; r++) {
      System.arraycopy(u, r * cw, up, r * cStride, cw);
      System.arraycopy(v, r * cw, vp, r * cStride, cw);
    }
    CameraFrame i420 = new CameraFrame(w, h, ByteBuffer.wrap(yp), yStride, 1, ByteBuffer.wrap(up),
        ByteBuffer.wrap(vp), cStride, 1, rotation);
    // semi-planar: one interleaved chroma buffer, row stride 2*cw + 32, the U/V planes two views of it
    int sStride = 2 * cw + 32;
    byte[] vu = new byte[sStride * ch];
    byte[] uv = new byte[sStride * ch];
    for (int r = 0; r < ch; r++) {
      for (int c = 0; c < cw; c++) {
        vu[r * sStride + 2 * c] = v[r * cw + c];
        vu[r * sStride + 2 * c + 1] = u[r * cw + c];
        uv[r * sStride + 2 * c] = u[r * cw + c];
        uv[r * sStride + 2 * c + 1] = v[r * cw + c];
      }
    }
    ByteBuffer yTight = ByteBuffer.wrap(y);
    CameraFrame nv21 = new CameraFrame(w, h, yTight, w, 1, view(vu, 1), view(vu, 0), sStride, 2, rotation);
    CameraFrame nv12 = new CameraFrame(w, h, yTight, w, 1, view(uv, 0), view(uv, 1), sStride, 2, rotation);
    return Arrays.asList(i420, nv21, nv12);
  }

  /** A plane that starts {@code offset} bytes into a shared buffer, as Image.Plane.getBuffer() gives it. */
  static ByteBuffer view(byte[] b, int offset) {
    ByteBuffer whole = ByteBuffer.wrap(b);
    whole.position(offset);
    return whole.slice();
  }

  static CameraFrame frame(File ref, JSONObject f, int layout) throws Exception {
    String key = f.getString("name");
    File dir = new File(ref, "frames");
    return layouts(read(new File(dir, key + ".y")), read(new File(dir, key + ".u")), read(new File(dir, key + ".v")),
        f.getInt("width"), f.getInt("height"), f.getInt("rotation")).get(layout);
  }

  @Test
  public void framesMatchPythonsPreprocessOnRealPhotosWithinOneLevel() throws Exception {
    File ref = reference();
    JSONObject doc = TestFiles.json(new File(ref, "camera.json"));
    JSONArray frames = doc.getJSONArray("frames");
    java.util.Map<String, JSONObject> byName = new java.util.HashMap<>();
    for (int i = 0; i < frames.length(); i++) {
      byName.put(frames.getJSONObject(i).getString("name"), frames.getJSONObject(i));
    }
    JSONArray cases = doc.getJSONArray("cases");
    double worstLevels = 0;
    long values = 0;
    long exact = 0;
    java.util.Set<String> photos = new java.util.TreeSet<>();
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      JSONObject f = byName.get(c.getString("frame"));
      photos.add(f.getString("photo"));
      Manifest.ImageSpec spec = Manifest.ImageSpec.fromJson(c.getJSONObject("spec"));
      Preprocess pre = new Preprocess(spec);
      float[] want = Tensors.readFloatsLE(new File(ref, c.getString("tensor")), -1);
      float[] first = null;
      for (int layout = 0; layout < 3; layout++) {
        float[] got = frame(ref, f, layout).toTensor(pre, "NCHW");
        assertEquals(c.getString("tensor"), want.length, got.length);
        if (first == null) {
          first = got;
        } else {
          assertArrayEquals("layout " + layout + " of " + c.getString("frame"), first, got, 0f);
        }
      }
      int channels = spec.channels();
      int plane = want.length / channels;
      for (int j = 0; j < want.length; j++) {
        int ch = j / plane;
        double std = spec.std.length == 1 ? spec.std[0] : spec.std[ch];
        double levels = Math.abs(first[j] - want[j]) * std / spec.scale;
        worstLevels = Math.max(worstLevels, levels);
        exact += levels < 1e-3 ? 1 : 0;
        values++;
        if (levels > ONE_LEVEL) {
          throw new AssertionError(c.getString("tensor") + "[" + j + "]: java " + first[j] + ", python " + want[j]
              + " = " + levels + " levels apart (> 1/255)");
        }
      }
    }
    assertTrue("photos", photos.containsAll(Arrays.asList("astronaut", "chelsea", "coffee", "rocket")));
    System.out.println(String.format(java.util.Locale.US,
        "FIGURE camera_frames cases=%d photos=%d layouts=3 values=%d max_diff_levels=%.4f (=%.6f of the range, "
            + "limit 1/255=%.6f) exact=%.4f", cases.length(), photos.size(), values, worstLevels, worstLevels / 255,
        1 / 255.0, exact / (double) values));
  }

  @Test
  public void yuvToRgbIsWithinOneLevelOfPillowsDecode() throws Exception {
    File ref = reference();
    JSONArray frames = TestFiles.json(new File(ref, "camera.json")).getJSONArray("frames");
    int worst = 0;
    for (int i = 0; i < frames.length(); i++) {
      JSONObject f = frames.getJSONObject(i);
      CameraFrame frame = frame(ref, f, 1);
      int[] argb = frame.toUprightArgb();
      byte[] want = read(new File(ref, "upright/" + f.getString("name") + ".rgb"));
      assertEquals(f.getJSONArray("upright").getInt(0), frame.uprightWidth());
      assertEquals(f.getJSONArray("upright").getInt(1), frame.uprightHeight());
      assertEquals(want.length, argb.length * 3);
      for (int p = 0; p < argb.length; p++) {
        for (int c = 0; c < 3; c++) {
          int got = (argb[p] >> (16 - 8 * c)) & 0xff;
          worst = Math.max(worst, Math.abs(got - (want[3 * p + c] & 0xff)));
        }
      }
    }
    assertEquals("YUV -> RGB against Pillow's JFIF decode (levels)", 0, worst);
    System.out.println("FIGURE camera_yuv_rgb frames=" + frames.length() + " max_diff_levels=" + worst);
  }

  @Test
  public void rotationTurnsClockwise() {
    // 3 x 2:  a b c / d e f
    int[] px = {1, 2, 3, 4, 5, 6};
    assertArrayEquals(new int[] {4, 1, 5, 2, 6, 3}, CameraFrame.rotate(px, 3, 2, 90)); // 2 x 3: d a / e b / f c
    assertArrayEquals(new int[] {6, 5, 4, 3, 2, 1}, CameraFrame.rotate(px, 3, 2, 180));
    assertArrayEquals(new int[] {3, 6, 2, 5, 1, 4}, CameraFrame.rotate(px, 3, 2, 270)); // c f / b e / a d
    assertArrayEquals(px, CameraFrame.rotate(CameraFrame.rotate(px, 3, 2, 90), 2, 3, 270));
  }

  @Test
  public void rotationFollowsTheSensorAndTheDisplay() {
    // a back camera mounted at 90 degrees, phone upright: the frame turns 90 clockwise
    assertEquals(90, CameraFrame.rotationDegrees(90, 0, false));
    assertEquals(0, CameraFrame.rotationDegrees(90, 90, false)); // phone turned left (landscape)
    assertEquals(180, CameraFrame.rotationDegrees(90, 270, false));
    assertEquals(270, CameraFrame.rotationDegrees(270, 0, false));
    // front cameras turn the other way
    assertEquals(270, CameraFrame.rotationDegrees(270, 0, true));
    assertEquals(0, CameraFrame.rotationDegrees(270, 90, true));
  }

  @Test
  public void yuvEquationsGiveTheJfifColours() {
    assertEquals(0xff000000, CameraFrame.rgb(0, 0, 0));
    assertEquals(0xffffffff, CameraFrame.rgb(255, 0, 0));
    assertEquals(0xff808080, CameraFrame.rgb(128, 0, 0));
    // pure red in JFIF: Y 76, Cb 85, Cr 255 -> (254, 0, 0) after rounding
    int red = CameraFrame.rgb(76, 85 - 128, 255 - 128);
    assertTrue(Integer.toHexString(red), ((red >> 16) & 0xff) >= 253 && ((red >> 8) & 0xff) <= 1 && (red & 0xff) <= 1);
  }

  @Test
  public void planesTooSmallForTheFrameAreRefused() {
    try {
      new CameraFrame(4, 4, ByteBuffer.allocate(15), 4, 1, ByteBuffer.allocate(4), ByteBuffer.allocate(4), 2, 1, 0);
      throw new AssertionError("accepted a short Y plane");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("Y plane"));
    }
    try {
      new CameraFrame(4, 4, ByteBuffer.allocate(16), 4, 1, ByteBuffer.allocate(4), ByteBuffer.allocate(4), 2, 1, 45);
      throw new AssertionError("accepted 45 degrees");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage(), e.getMessage().contains("rotation"));
    }
  }

  @Test
  public void fpsIsFramesOverTheWindow() {
    LiveClassifier.FpsMeter m = new LiveClassifier.FpsMeter(1000);
    assertTrue(Double.isNaN(m.tick(0)));
    assertEquals(10.0, m.tick(100), 1e-9);
    double fps = 0;
    for (long t = 200; t <= 3000; t += 100) {
      fps = m.tick(t);
    }
    assertEquals(10.0, fps, 1e-9); // old frames leave the window
    double slow = m.tick(3450); // a 450 ms frame: 7 frames over the last 950 ms
    assertEquals(6 * 1000.0 / 950, slow, 1e-9);
  }

  @Test
  public void liveClassifierNamesTheDigitACameraSees() throws Exception {
    File ref = reference();
    File bundle = TestFiles.bundle();
    JSONObject doc = TestFiles.json(new File(ref, "camera.json"));
    org.junit.Assume.assumeTrue("the camera reference has no digit frame (tests/apps writes one)",
        doc.has("digit_eager_top1"));
    Manifest m = Manifest.load(bundle);
    Manifest.Artifact ort = null;
    for (Manifest.Artifact a : m.artifacts) {
      if (a.runtime.equals("onnxruntime")) {
        ort = a;
      }
    }
    JSONArray frames = doc.getJSONArray("frames");
    JSONObject digit = null;
    for (int i = 0; i < frames.length(); i++) {
      if (frames.getJSONObject(i).getString("name").equals("digit_r90")) {
        digit = frames.getJSONObject(i);
      }
    }
    try (Runner r = Runners.open(bundle, m, ort, 1, Collections.<String, String>emptyMap())) {
      LiveClassifier live = new LiveClassifier(r, m, m.readLabels(bundle));
      LiveClassifier.Result first = live.classify(frame(ref, digit, 0));
      LiveClassifier.Result second = live.classify(frame(ref, digit, 1));
      assertEquals(doc.getInt("digit_eager_top1"), first.top[0]);
      assertEquals(3, first.top.length);
      assertTrue(Double.isNaN(first.fps) && second.fps > 0);
      String text = second.describe(r.describe());
      assertTrue(text, text.contains("FPS") && text.contains("inference") && text.split("\n").length == 5);
      System.out.println("FIGURE camera_live_digit top1=" + first.top[0] + " eager=" + doc.getInt("digit_eager_top1")
          + " inference_ms=" + String.format(java.util.Locale.US, "%.2f", second.inferenceMs));
    }
  }
}
