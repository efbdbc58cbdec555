"""Operations tooling for the sumapi platform: AWS emulator launcher and the API key tool."""
