import CrossRunLink

/// Entry point of the emulator backend: runs a ``LinkImage`` under Unicorn.
public enum Emulator {
    /// Whether the emulator can run images for `machine` yet.
    public static func supports(_ machine: CrossRunELF.Machine) -> Bool { (try? guestArch(for: machine)) != nil }

    /// Loads and runs `image`; returns the outcome (never crashes on guest behaviour).
    public static func run(_ image: LinkImage, options: GuestProcess.Options) throws -> GuestProcess.Outcome {
        let process = try GuestProcess(image: image, options: options)
        return process.run()
    }
}

import CrossRunELF
