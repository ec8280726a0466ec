package dev.slipway.build.log;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The log of one build while it runs: lines from the steps' output and from the service itself,
 * masked before they are kept anywhere, numbered, buffered until {@link #flush} hands them to the
 * store, and the last lines kept for a failure's tail.
 */
public final class BuildLog {

  /** How many lines a failure report carries at most. */
  public static final int TAIL_LINES = 50;

  private volatile SecretMasker masker;
  private final BiConsumer<Long, List<String>> store;
  private final Deque<String> tail = new ArrayDeque<>();
  private final List<String> buffer = new ArrayList<>();
  private final Object flushing = new Object();
  private long nextSeq;
  private long bufferStart;

  /**
   * @param masker masks the build's secrets
   * @param firstSeq sequence number of the first line this log writes
   * @param store receives (sequence of the first line, lines) on each flush
   */
  public BuildLog(SecretMasker masker, long firstSeq, BiConsumer<Long, List<String>> store) {
    this.masker = masker;
    this.store = store;
    this.nextSeq = firstSeq;
    this.bufferStart = firstSeq;
  }

  /**
   * Adds secret values learnt while the build runs (its secret variables, a clone token); streams
   * opened from now on and every later line mask them.
   */
  public void addSecrets(java.util.Collection<String> values) {
    masker = masker.with(values);
  }

  /** A line from the service itself, e.g. a stage starting; masked like everything else. */
  public void info(String line) {
    String masked = masker.mask(line);
    for (String part : masked.split("\r?\n", -1)) {
      add(part);
    }
  }

  /** A stream of raw output (a process's stdout and stderr), masked across chunk boundaries. */
  public Stream stream() {
    return new Stream();
  }

  /** Masks a text that leaves the build some other way, e.g. a failure reason. */
  public String mask(String text) {
    return masker.mask(text);
  }

  /** The last lines, at most {@link #TAIL_LINES}. */
  public synchronized List<String> tail() {
    return List.copyOf(tail);
  }

  /**
   * Hands the buffered lines to the store; one flush at a time, so lines arrive in order. When the
   * store fails (the database is away) the lines stay buffered for the next flush.
   */
  public void flush() {
    synchronized (flushing) {
      List<String> lines;
      long first;
      synchronized (this) {
        if (buffer.isEmpty()) {
          return;
        }
        lines = List.copyOf(buffer);
        first = bufferStart;
      }
      store.accept(first, lines);
      synchronized (this) {
        buffer.subList(0, lines.size()).clear();
        bufferStart = first + lines.size();
      }
    }
  }

  private synchronized void add(String line) {
    buffer.add(line);
    nextSeq++;
    tail.addLast(line);
    if (tail.size() > TAIL_LINES) {
      tail.removeFirst();
    }
  }

  /** Raw output cut into lines after masking; {@link #close} releases an unfinished last line. */
  public final class Stream implements AutoCloseable {

    private final SecretMasker streamMasker = masker.copy();
    private final StringBuilder partial = new StringBuilder();

    private Stream() {}

    /** The next chunk of output, as read. */
    public void write(CharSequence chunk) {
      split(streamMasker.accept(chunk));
    }

    @Override
    public void close() {
      split(streamMasker.flush());
      if (!partial.isEmpty()) {
        add(partial.toString());
        partial.setLength(0);
      }
    }

    private void split(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c == '\n') {
          int end = partial.length();
          if (end > 0 && partial.charAt(end - 1) == '\r') {
            partial.setLength(end - 1);
          }
          add(partial.toString());
          partial.setLength(0);
        } else {
          partial.append(c);
        }
      }
    }
  }
}
