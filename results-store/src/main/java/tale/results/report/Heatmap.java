package tale.results.report;

import java.util.ArrayList;
import java.util.List;
import tale.messages.JobEvent.CandidateScore;
import tale.messages.JobEvent.RoundResult;

/** Every candidate's accuracy by round (rows) and layer (columns); a layer already removed has no cell. */
public record Heatmap(String jobId, Integer numLayers, Double floor, List<Integer> rounds, List<Cell> cells) {

    /**
     * @param winner   the round's best candidate
     * @param accepted the winner was removed (it stayed at or above the floor)
     */
    public record Cell(int round, int layer, double accuracy, Double meanMargin, int examples, boolean dropped,
                       boolean winner, boolean accepted) { }

    public static Heatmap of(String jobId, Integer numLayers, Double floor, List<RoundResult> rounds) {
        List<Integer> roundNumbers = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        for (RoundResult round : rounds) {
            roundNumbers.add(round.round());
            for (CandidateScore c : round.candidates()) {
                boolean winner = c.layer() == round.winner();
                cells.add(new Cell(round.round(), c.layer(), c.accuracy(), c.meanMargin(), c.examples(), c.dropped(),
                        winner, winner && round.accepted()));
            }
        }
        return new Heatmap(jobId, numLayers, floor, roundNumbers, cells);
    }
}
