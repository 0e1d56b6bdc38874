from clerk_tui.cli import main

main()
