from oncocenter.cli import main

main()
