package org.mobilekit.demo.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.File;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Test;

/**
 * Java preprocessing against Python's ImagePreprocess.apply (Pillow) on the same PNG files: the
 * digits test split through the digits manifest, and RGB pictures through other specs (up- and
 * down-scaling, crop, BGR, per-channel mean/std, nearest, bicubic, alpha).
 */
public class PreprocessTest {
  static final double TOLERANCE = 1e-5;

  @Test
  public void matchesPythonOnEveryReferencePicture() throws Exception {
    File ref = TestFiles.reference();
    JSONArray cases = TestFiles.json(new File(ref, "index.json")).getJSONArray("cases");
    double worst = 0;
    int digits = 0;
    for (int i = 0; i < cases.length(); i++) {
      JSONObject c = cases.getJSONObject(i);
      Manifest.ImageSpec spec = Manifest.ImageSpec.fromJson(c.getJSONObject("spec"));
      TestFiles.Picture p = TestFiles.png(new File(ref, c.getString("png")));
      float[] got = new Preprocess(spec).apply(p.argb, p.width, p.height);
      float[] want = Tensors.readFloatsLE(new File(ref, c.getString("tensor")), -1);
      assertEquals(c.getString("png") + ": length", want.length, got.length);
      double diff = 0;
      for (int j = 0; j < want.length; j++) {
        diff = Math.max(diff, Math.abs(got[j] - want[j]));
      }
      assertTrue(c.getString("png") + " (" + c.getString("name") + "): max |java - python| = " + diff,
          diff <= TOLERANCE);
      worst = Math.max(worst, diff);
      if (c.getString("name").startsWith("digit")) {
        digits++;
      }
    }
    assertTrue("reference cases", cases.length() > 0);
    System.out.println("FIGURE preprocess_cases=" + cases.length() + " digit_pictures=" + digits
        + " max_abs_diff=" + worst);
  }

  @Test
  public void sameSizeIsOnlyColorAndNormalisation() {
    Manifest.ImageSpec spec = new Manifest.ImageSpec("RGB", new int[] {1, 2}, null, "bilinear", 1.0 / 255.0,
        new double[] {0.5}, new double[] {0.5}, false);
    float[] out = new Preprocess(spec).apply(new int[] {0xffff0000, 0xff0000ff}, 2, 1);
    // CHW: R plane, G plane, B plane
    assertEquals(1.0f, out[0], 1e-6f);
    assertEquals(-1.0f, out[1], 1e-6f);
    assertEquals(-1.0f, out[2], 1e-6f);
    assertEquals(1.0f, out[5], 1e-6f);
  }

  @Test
  public void nhwcLayoutInterleavesChannels() {
    Manifest.ImageSpec spec = new Manifest.ImageSpec("RGB", new int[] {1, 1}, null, "bilinear", 1.0,
        new double[] {0}, new double[] {1}, false);
    Preprocess p = new Preprocess(spec);
    float[] chw = p.apply(new int[] {0xff010203}, 1, 1);
    float[] hwc = p.toLayout(chw, "NHWC");
    assertEquals(1f, hwc[0], 0f);
    assertEquals(2f, hwc[1], 0f);
    assertEquals(3f, hwc[2], 0f);
  }
}
