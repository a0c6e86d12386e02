# Build the Windows installer of Deskhand: PyInstaller one folder, then NSIS.
#
#   powershell -ExecutionPolicy Bypass -File installer\windows\build.ps1 [-Preset C:\it\preset.yaml]
#       [-Python "C:\Python311\python.exe"] [-Makensis "C:\Program Files (x86)\NSIS\makensis.exe"]
#
# Needs Python 3.11 (64-bit) and NSIS 3 (choco install nsis). Makes build\venv (its own
# virtual environment), build\dist\deskhand\ (the program folder) and
# build\deskhand-<version>-setup.exe. -Preset bundles an IT preset into the installer.
param(
    [string]$Preset = "",
    [string]$Python = "python",
    [string]$Makensis = ""
)
$ErrorActionPreference = "Stop"
$Root = (Resolve-Path "$PSScriptRoot\..\..").Path
Set-Location $Root
$Build = Join-Path $Root "build"

function Invoke-Checked([string]$Exe, [string[]]$ArgList) {
    & $Exe @ArgList
    if ($LASTEXITCODE -ne 0) { throw "failed ($LASTEXITCODE): $Exe $($ArgList -join ' ')" }
}

# -- a virtual environment of its own, with Deskhand and PyInstaller ------------------------
$Venv = Join-Path $Build "venv"
if (-not (Test-Path "$Venv\Scripts\python.exe")) { Invoke-Checked $Python @("-m", "venv", $Venv) }
$Py = "$Venv\Scripts\python.exe"
Invoke-Checked $Py @("-c", "import sys, struct; sys.exit(sys.version_info[:2] != (3, 11) or struct.calcsize('P') != 8)")
Invoke-Checked $Py @("-m", "pip", "install", "-q", "--upgrade", "pip")
Invoke-Checked $Py @("-m", "pip", "install", "-q", ".", "pyinstaller==6.22.3")
$Version = (& $Py -c "from importlib.metadata import version; print(version('deskhand'))").Trim()

# -- what the bundle needs that is made, not kept in git -----------------------------------
Invoke-Checked $Py @("installer\build_translations.py")          # resources\i18n\*.qm
# comtypes writes its UI Automation wrappers on first use; the frozen program cannot.
Invoke-Checked $Py @("-c", "import uiautomation; uiautomation.GetRootControl()")
$Info = Join-Path $Build "build_info.json"
New-Item -ItemType Directory -Force $Build | Out-Null
& $Py -c @"
import json, platform, sys
from importlib.metadata import version
json.dump({'built_on': platform.platform(), 'python': sys.version.split()[0],
           'qt': version('pyside6-essentials'), 'ocr': 'rapidocr_onnxruntime ' + version('rapidocr_onnxruntime')},
          open(sys.argv[1], 'w', encoding='utf-8'), indent=1)
"@ $Info
if ($LASTEXITCODE -ne 0) { throw "build_info.json not written" }

# -- PyInstaller ------------------------------------------------------------------------------
$env:DESKHAND_BUILD_INFO = $Info
Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--distpath", "$Build\dist",
                     "--workpath", "$Build\work", "installer\windows\deskhand.spec")
$Dist = Join-Path $Build "dist\deskhand"
# The uninstaller removes exactly these (never the folder recursively): nothing else may be here.
$Top = (Get-ChildItem $Dist | ForEach-Object Name | Sort-Object) -join ","
if ($Top -ne "_internal,deskhand-tray.exe,deskhand.exe") { throw "unexpected layout of ${Dist}: $Top" }
Invoke-Checked "$Dist\deskhand.exe" @("--version")

# -- NSIS -------------------------------------------------------------------------------------
if (-not $Makensis) {
    $found = Get-Command makensis -ErrorAction SilentlyContinue
    $Makensis = if ($found) { $found.Source } else { "${env:ProgramFiles(x86)}\NSIS\makensis.exe" }
}
$Setup = Join-Path $Build "deskhand-$Version-setup.exe"
$Defines = @("/DDIST=$Dist", "/DVERSION=$Version", "/DOUTFILE=$Setup")
if ($Preset) { $Defines += "/DPRESET=$((Resolve-Path $Preset).Path)" }
Invoke-Checked $Makensis ($Defines + @("installer\windows\deskhand.nsi"))
$MB = [math]::Round((Get-Item $Setup).Length / 1MB, 1)
$FolderMB = [math]::Round(((Get-ChildItem $Dist -Recurse -File | Measure-Object Length -Sum).Sum) / 1MB, 1)
Write-Output "installer: $Setup ($MB MB; program folder $FolderMB MB)"
