"""What a flow looks like when it is shown or shared: its sequence of arrows between lanes
(:mod:`.sequence`), as Mermaid text (:mod:`.mermaid`) and as SVG (:mod:`.svg`), the JSON log
the app exports and the CLI writes (:mod:`.logfile`), and the self-contained HTML report
(:mod:`.html`). Qt-free: the command line builds the same as the app."""
