package org.mobilekit.demo;

import android.graphics.Insets;
import android.os.Build;
import android.view.View;
import android.view.WindowInsets;

/**
 * Android 15 draws every app edge to edge at targetSdk 35: content runs under the status bar, the
 * navigation bar and the keyboard unless the app pads for them. Each screen's root view gets its base
 * padding plus the system bars' and the IME's insets, updated whenever they change.
 */
final class EdgeToEdge {
  private EdgeToEdge() {}

  /**
   * Pads a root view by the system bars and the keyboard.
   *
   * @param root the activity's content root
   * @param basePx padding on every side in addition to the insets
   */
  static void padForSystemBars(View root, int basePx) {
    root.setPadding(basePx, basePx, basePx, basePx);
    root.setOnApplyWindowInsetsListener((v, insets) -> {
      int[] bars = bars(insets);
      v.setPadding(basePx + bars[0], basePx + bars[1], basePx + bars[2], basePx + bars[3]);
      return insets;
    });
    root.requestApplyInsets();
  }

  /** left, top, right, bottom of the system bars, display cutout and IME together. */
  static int[] bars(WindowInsets insets) {
    if (Build.VERSION.SDK_INT >= 30) {
      Insets i = insets.getInsets(WindowInsets.Type.systemBars() | WindowInsets.Type.displayCutout()
          | WindowInsets.Type.ime());
      return new int[] {i.left, i.top, i.right, i.bottom};
    }
    return new int[] {insets.getSystemWindowInsetLeft(), insets.getSystemWindowInsetTop(),
        insets.getSystemWindowInsetRight(), insets.getSystemWindowInsetBottom()};
  }
}
