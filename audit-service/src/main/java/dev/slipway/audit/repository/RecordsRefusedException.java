package dev.slipway.audit.repository;

/** PostgreSQL refused a batch for what is in it: the same rows will be refused again. */
public class RecordsRefusedException extends RuntimeException {

  public RecordsRefusedException(Throwable cause) {
    super(cause.getMessage(), cause);
  }
}
