package org.mobilekit.demo;

import android.content.Context;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Paint;
import android.graphics.Path;
import android.view.MotionEvent;
import android.view.View;

/**
 * A square to draw on with a finger: dark ink on white paper, like the digits model's pictures. It sits
 * in the screen's ScrollView, so a stroke asks the parents not to take the gesture over
 * ({@code requestDisallowInterceptTouchEvent}): a vertical stroke draws instead of scrolling the page.
 */
final class DrawView extends View {
  private final Paint ink = new Paint(Paint.ANTI_ALIAS_FLAG);
  private final Path path = new Path();
  private Bitmap picture;
  /** The picture scaled to the view, made once per picture and size (not on every draw). */
  private Bitmap scaled;
  private int strokePoints;

  DrawView(Context context) {
    super(context);
    ink.setColor(Color.BLACK);
    ink.setStyle(Paint.Style.STROKE);
    ink.setStrokeCap(Paint.Cap.ROUND);
    ink.setStrokeJoin(Paint.Join.ROUND);
  }

  @Override
  protected void onMeasure(int widthSpec, int heightSpec) {
    int size = MeasureSpec.getSize(widthSpec);
    setMeasuredDimension(size, size);
  }

  @Override
  protected void onSizeChanged(int w, int h, int oldw, int oldh) {
    ink.setStrokeWidth(w / 9f);
    clear();
  }

  /** Clears the drawing. */
  void clear() {
    path.reset();
    picture = null;
    scaled = null;
    strokePoints = 0;
    invalidate();
  }

  /** Shows a picked picture instead of the drawing. */
  void show(Bitmap bitmap) {
    path.reset();
    strokePoints = 0;
    picture = bitmap;
    scaled = null;
    invalidate();
  }

  /** The picked or captured picture on show, or null while drawing. */
  Bitmap shownPicture() {
    return picture;
  }

  /** Points drawn since the last clear (a stroke that the ScrollView took over has only its first). */
  int strokePoints() {
    return strokePoints;
  }

  /** What is on screen as an ARGB_8888 bitmap: the picked picture, or the drawing. */
  Bitmap snapshot() {
    if (picture != null) {
      return picture;
    }
    Bitmap b = Bitmap.createBitmap(Math.max(getWidth(), 1), Math.max(getHeight(), 1), Bitmap.Config.ARGB_8888);
    Canvas c = new Canvas(b);
    c.drawColor(Color.WHITE);
    c.drawPath(path, ink);
    return b;
  }

  @Override
  protected void onDraw(Canvas canvas) {
    canvas.drawColor(Color.WHITE);
    if (picture != null && getWidth() > 0 && getHeight() > 0) {
      if (scaled == null || scaled.getWidth() != getWidth() || scaled.getHeight() != getHeight()) {
        scaled = Bitmap.createScaledBitmap(picture, getWidth(), getHeight(), true);
      }
      canvas.drawBitmap(scaled, 0, 0, null);
    } else {
      canvas.drawPath(path, ink);
    }
  }

  @Override
  public boolean onTouchEvent(MotionEvent e) {
    if (picture != null) {
      picture = null;
      scaled = null;
    }
    switch (e.getActionMasked()) {
      case MotionEvent.ACTION_DOWN:
        // The stroke is ours from the first touch: no parent (the ScrollView) may intercept it.
        if (getParent() != null) {
          getParent().requestDisallowInterceptTouchEvent(true);
        }
        path.moveTo(e.getX(), e.getY());
        strokePoints++;
        break;
      case MotionEvent.ACTION_MOVE:
        path.lineTo(e.getX(), e.getY());
        strokePoints++;
        break;
      case MotionEvent.ACTION_UP:
        release();
        performClick();
        break;
      case MotionEvent.ACTION_CANCEL:
        release();
        break;
      default:
        break;
    }
    invalidate();
    return true;
  }

  private void release() {
    if (getParent() != null) {
      getParent().requestDisallowInterceptTouchEvent(false);
    }
  }

  @Override
  public boolean performClick() {
    return super.performClick();
  }
}
