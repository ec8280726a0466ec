package dev.slipway.trigger.webhook;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * A webhook body as the HTTP layer buffered it, read in place: the signature is computed over it
 * and the JSON parsed or scanned from it without further copies.
 */
public final class WebhookBody {

  private final ByteBuf bytes;

  private WebhookBody(ByteBuf bytes) {
    this.bytes = bytes;
  }

  /** A body over {@code bytes}, not copied. */
  public static WebhookBody of(byte[] bytes) {
    return new WebhookBody(Unpooled.wrappedBuffer(bytes));
  }

  /** Its length in bytes. */
  public int length() {
    return bytes.readableBytes();
  }

  /** A read-only view of its bytes; each call a fresh position. */
  public ByteBuffer view() {
    return bytes.nioBufferCount() == 1
        ? bytes.nioBuffer().asReadOnlyBuffer()
        : ByteBuffer.wrap(copy()).asReadOnlyBuffer();
  }

  /** A stream over its bytes. */
  public InputStream stream() {
    return new ByteBufInputStream(bytes.duplicate());
  }

  /** A copy of its bytes. */
  public byte[] copy() {
    byte[] copy = new byte[bytes.readableBytes()];
    bytes.getBytes(bytes.readerIndex(), copy);
    return copy;
  }
}
