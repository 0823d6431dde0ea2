"""What many evaluation results say together (part 7 of the explanatory note): the horizontal
comparison of parks (`compare`, 横向比较), one park over the years (`trend`, 纵向比较) and the
annual statement of continued compliance against a rated evaluation (`statement`, 7.1.2, 7.2.2).

Each module turns `Result`s into a model of its own (written as the document's results.json);
nothing here renders or touches an archive — `evalkit.runs` does that.
May import: `evalkit.core`, `evalkit.catalog`, `evalkit.carbon`, `evalkit.intake`, `evalkit.evaluation`.
"""
