from clerk_tui.entry import main

main()
