package org.mobilekit.demo;

import android.content.Context;
import android.content.Intent;
import android.content.IntentFilter;
import android.os.BatteryManager;
import java.util.ArrayList;
import java.util.List;
import org.mobilekit.demo.core.BatterySample;
import org.mobilekit.demo.core.EnergyMeter;

/**
 * Samples BatteryManager on its own thread every {@code periodMs} (100 ms: about 10 Hz):
 * {@code BATTERY_PROPERTY_CURRENT_NOW} (µA), the sticky intent's {@code EXTRA_VOLTAGE} (mV) and
 * {@code BATTERY_PROPERTY_ENERGY_COUNTER} (nWh) where the phone has it. The arithmetic is in
 * {@link org.mobilekit.demo.core.Energy}.
 */
final class BatteryMeter implements EnergyMeter {
  private final Context context;
  private final BatteryManager bm;
  private final long periodMs;
  private final List<BatterySample> samples = new ArrayList<>();
  private Thread thread;
  private volatile boolean running;

  BatteryMeter(Context context, BatteryManager bm, long periodMs) {
    this.context = context;
    this.bm = bm;
    this.periodMs = periodMs;
  }

  @Override
  public synchronized void start() {
    stop();
    synchronized (samples) {
      samples.clear();
    }
    running = true;
    thread = new Thread(this::loop, "mobilekit-battery");
    thread.start();
  }

  private void loop() {
    while (running) {
      BatterySample s = read();
      synchronized (samples) {
        samples.add(s);
      }
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private BatterySample read() {
    int ua = bm.getIntProperty(BatteryManager.BATTERY_PROPERTY_CURRENT_NOW);
    long nwh = bm.getLongProperty(BatteryManager.BATTERY_PROPERTY_ENERGY_COUNTER);
    Intent battery = context.registerReceiver(null, new IntentFilter(Intent.ACTION_BATTERY_CHANGED));
    int mv = battery == null ? -1 : battery.getIntExtra(BatteryManager.EXTRA_VOLTAGE, -1);
    return new BatterySample(System.nanoTime(),
        ua == Integer.MIN_VALUE || ua == 0 ? null : ua,
        mv > 0 ? mv : null,
        nwh == Long.MIN_VALUE || nwh <= 0 ? null : nwh);
  }

  @Override
  public synchronized List<BatterySample> stop() {
    running = false;
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
    synchronized (samples) {
      return new ArrayList<>(samples);
    }
  }

  @Override
  public boolean charging() {
    Intent battery = context.registerReceiver(null, new IntentFilter(Intent.ACTION_BATTERY_CHANGED));
    return battery != null && battery.getIntExtra(BatteryManager.EXTRA_PLUGGED, 0) != 0;
  }
}
