package tale.messages;

/**
 * The envelope convention of every TALE message: a JSON object whose {@code schemaVersion} field says
 * which version of the type's schema it follows. A consumer accepts the versions it knows and sends
 * anything newer to the dead-letter topic rather than guessing; unknown fields are ignored, so adding an
 * optional field does not need a new version, while renaming or changing the meaning of one does.
 */
public interface Message {

    int schemaVersion();
}
