from cocontrol.cli import main

main()
