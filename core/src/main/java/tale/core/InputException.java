package tale.core;

/**
 * Input the user can fix: a bad file, option or request. Its message is one line naming the input and
 * the problem; command-line tools exit with status 2 and services answer 4xx.
 */
public class InputException extends RuntimeException {

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
