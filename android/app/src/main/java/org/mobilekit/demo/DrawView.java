package org.mobilekit.demo;

import android.content.Context;
import android.graphics.Bitmap;
import android.graphics.Canvas;
import android.graphics.Color;
import android.graphics.Paint;
import android.graphics.Path;
import android.view.MotionEvent;
import android.view.View;

/** A square to draw on with a finger: dark ink on white paper, like the digits model's pictures. */
final class DrawView extends View {
  private final Paint ink = new Paint(Paint.ANTI_ALIAS_FLAG);
  private final Path path = new Path();
  private Bitmap picture;

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
    invalidate();
  }

  /** Shows a picked picture instead of the drawing. */
  void show(Bitmap bitmap) {
    path.reset();
    picture = bitmap;
    invalidate();
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
    if (picture != null) {
      canvas.drawBitmap(Bitmap.createScaledBitmap(picture, getWidth(), getHeight(), true), 0, 0, null);
    } else {
      canvas.drawPath(path, ink);
    }
  }

  @Override
  public boolean onTouchEvent(MotionEvent e) {
    if (picture != null) {
      picture = null;
    }
    if (e.getAction() == MotionEvent.ACTION_DOWN) {
      path.moveTo(e.getX(), e.getY());
    } else if (e.getAction() == MotionEvent.ACTION_MOVE) {
      path.lineTo(e.getX(), e.getY());
    } else if (e.getAction() == MotionEvent.ACTION_UP) {
      performClick();
    }
    invalidate();
    return true;
  }

  @Override
  public boolean performClick() {
    return super.performClick();
  }
}
