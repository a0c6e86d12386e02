; Deskhand (窗口助手) — the Windows installer. NSIS 3, Unicode.
;
; Built by installer/windows/build.ps1 after PyInstaller made the one-folder program:
;   makensis -DDIST=dist\deskhand -DVERSION=0.1.0 [-DPRESET=preset.yaml] [-DOUTFILE=out.exe]
;            installer\windows\deskhand.nsi
; DIST and PRESET: absolute paths (makensis resolves relative ones from this folder).
; DIST holds deskhand.exe (console, for IT), deskhand-tray.exe (no console, for clerks) and
; _internal\ (PyInstaller 6's layout). PRESET bundles an IT preset into this installer.
;
; Install:   setup.exe [/S] [/PRESET=C:\path\preset.yaml] [/D=C:\Program Files\Deskhand]
; Uninstall: uninstall.exe [/S] [/PURGE]        (docs/it-rollout.md has the exit codes)
; Clerks' own folders (%LOCALAPPDATA%\deskhand: settings, cases, logs) are never touched.

Unicode true
ManifestDPIAware true

!ifndef DIST
  !error "Name the PyInstaller folder: makensis -DDIST=dist\deskhand installer\windows\deskhand.nsi"
!endif
!ifndef VERSION
  !define VERSION 0.0.0
!endif
!ifndef OUTFILE
  !define OUTFILE "deskhand-${VERSION}-setup.exe"
!endif

!define PUBLISHER "Deskhand"
!define TRAY_EXE "deskhand-tray.exe"
!define CLI_EXE "deskhand.exe"
!define UNINST_EXE "uninstall.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Deskhand"
!define RUN_KEY "Software\Microsoft\Windows\CurrentVersion\Run"
!define SHORTCUT_ZH "窗口助手"
!define SHORTCUT_EN "Deskhand"

; Exit codes (SetErrorLevel): NSIS's own are 0 done, 1 cancelled by the user, 2 aborted.
!define EXIT_PRESET 3       ; /PRESET names a file that is missing or cannot be copied
!define EXIT_NOT_X64 4      ; 32-bit Windows
!define EXIT_NOT_ADMIN 5    ; not run as an administrator

Name "窗口助手 Deskhand"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\Deskhand"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
BrandingText "Deskhand ${VERSION}"
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "Deskhand"
VIAddVersionKey /LANG=0 "FileDescription" "窗口助手 Deskhand installer"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${PUBLISHER}"

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh

!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
; No "run now" on the finish page: the installer is elevated, and a tray started from it
; would run as the administrator, not as the clerk. The tray starts at the next logon.
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; Chinese first: it is the language used when Windows' display language is neither.
!insertmacro MUI_LANGUAGE "SimpChinese"
!insertmacro MUI_LANGUAGE "English"

LangString ShortcutName ${LANG_SIMPCHINESE} "${SHORTCUT_ZH}"
LangString ShortcutName ${LANG_ENGLISH} "${SHORTCUT_EN}"
LangString DisplayName ${LANG_SIMPCHINESE} "窗口助手 (Deskhand)"
LangString DisplayName ${LANG_ENGLISH} "Deskhand (窗口助手)"
LangString NeedX64 ${LANG_SIMPCHINESE} "窗口助手需要 64 位 Windows 10 或更新版本。"
LangString NeedX64 ${LANG_ENGLISH} "Deskhand needs 64-bit Windows 10 or later."
LangString NeedAdmin ${LANG_SIMPCHINESE} "请以管理员身份运行安装包（右键 → 以管理员身份运行）。"
LangString NeedAdmin ${LANG_ENGLISH} "Run the installer as an administrator (right-click → Run as administrator)."
LangString PresetMissing ${LANG_SIMPCHINESE} "找不到 /PRESET 指定的预设文件：$PresetSource。请给出完整路径。"
LangString PresetMissing ${LANG_ENGLISH} "The preset file given with /PRESET was not found: $PresetSource. Give its full path."
LangString PresetCopyFailed ${LANG_SIMPCHINESE} "无法把预设文件写入 $APPDATA\Deskhand\preset.yaml。"
LangString PresetCopyFailed ${LANG_ENGLISH} "The preset could not be written to $APPDATA\Deskhand\preset.yaml."
LangString PresetKept ${LANG_SIMPCHINESE} "保留现有的信息科预设文件。"
LangString PresetKept ${LANG_ENGLISH} "The existing IT preset is kept."

Var PresetSource   ; /PRESET=path, "" when not given
Var Purge          ; 1 when the uninstaller got /PURGE

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "$(NeedX64)" /SD IDOK
    SetErrorLevel ${EXIT_NOT_X64}
    Quit
  ${EndIf}
  SetRegView 64
  UserInfo::GetAccountType
  Pop $0
  ${If} $0 != "admin"
    MessageBox MB_ICONSTOP "$(NeedAdmin)" /SD IDOK
    SetErrorLevel ${EXIT_NOT_ADMIN}
    Quit
  ${EndIf}
  ; /PRESET=path: a full path, or a file beside the installer (a GPO share holds both)
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PRESET=" $PresetSource
  ${If} ${Errors}
    StrCpy $PresetSource ""
  ${ElseIfNot} ${FileExists} "$PresetSource"
    ${If} ${FileExists} "$EXEDIR\$PresetSource"
      StrCpy $PresetSource "$EXEDIR\$PresetSource"
    ${Else}
      MessageBox MB_ICONSTOP "$(PresetMissing)" /SD IDOK
      SetErrorLevel ${EXIT_PRESET}
      Quit
    ${EndIf}
  ${EndIf}
FunctionEnd

Section "Deskhand" SecMain
  SectionIn RO
  SetShellVarContext all     ; $SMPROGRAMS and $APPDATA of all users (C:\ProgramData)
  ; A running tray holds its files open: an upgrade or a silent rollout would fail on them.
  nsExec::Exec 'taskkill /F /IM ${TRAY_EXE}'
  Pop $0
  SetOutPath "$INSTDIR"
  ; An older version's libraries must not mix with this one's.
  RMDir /r "$INSTDIR\_internal"
  File /r "${DIST}/*"   ; "/": makensis on Linux (the test) reads it too
  WriteUninstaller "$INSTDIR\${UNINST_EXE}"

  ; IT's preset: /PRESET wins over one bundled at build time; with neither, the one
  ; already on the PC stays.
  CreateDirectory "$APPDATA\Deskhand"
  !ifdef PRESET
    SetOutPath "$APPDATA\Deskhand"
    File "/oname=preset.yaml" "${PRESET}"
    SetOutPath "$INSTDIR"
  !endif
  ${If} $PresetSource != ""
    ClearErrors
    CopyFiles /SILENT "$PresetSource" "$APPDATA\Deskhand\preset.yaml"
    ${If} ${Errors}
      MessageBox MB_ICONSTOP "$(PresetCopyFailed)" /SD IDOK
      SetErrorLevel ${EXIT_PRESET}
      Abort
    ${EndIf}
  ${ElseIf} ${FileExists} "$APPDATA\Deskhand\preset.yaml"
    DetailPrint "$(PresetKept)"
  ${EndIf}
  ; Clerks read the preset, only administrators and SYSTEM change it (it locks settings).
  ; SIDs, not names: the group names are translated on a Chinese Windows.
  nsExec::ExecToLog 'icacls "$APPDATA\Deskhand" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX'
  Pop $0

  ; Start menu, and the tray at every user's logon (HKLM Run: see docs/it-rollout.md).
  CreateShortCut "$SMPROGRAMS\$(ShortcutName).lnk" "$INSTDIR\${TRAY_EXE}" "" "$INSTDIR\${TRAY_EXE}" 0
  WriteRegStr HKLM "${RUN_KEY}" "Deskhand" '"$INSTDIR\${TRAY_EXE}" tray --autostart'

  ; Add/Remove Programs (Programs and Features)
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "$(DisplayName)"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${TRAY_EXE},0"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\${UNINST_EXE}"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINST_EXE}" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" $0    ; KB, as the key expects
SectionEnd

Function un.onInit
  SetRegView 64
  ${un.GetParameters} $R0
  ClearErrors
  ${un.GetOptions} $R0 "/PURGE" $R1
  ${If} ${Errors}
    StrCpy $Purge 0
  ${Else}
    StrCpy $Purge 1
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  nsExec::Exec 'taskkill /F /IM ${TRAY_EXE}'
  Pop $0
  nsExec::Exec 'taskkill /F /IM ${CLI_EXE}'
  Pop $0
  ; Both names: the uninstaller may run in another language than the installer did.
  Delete "$SMPROGRAMS\${SHORTCUT_ZH}.lnk"
  Delete "$SMPROGRAMS\${SHORTCUT_EN}.lnk"
  DeleteRegValue HKLM "${RUN_KEY}" "Deskhand"
  ; Only what the installer put there, never RMDir /r "$INSTDIR" (/D= may name a shared folder).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${TRAY_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\${UNINST_EXE}"
  RMDir "$INSTDIR"
  ${If} $Purge == 1
    RMDir /r "$APPDATA\Deskhand"     ; IT's preset (C:\ProgramData\Deskhand)
  ${EndIf}
  DeleteRegKey HKLM "${UNINST_KEY}"
SectionEnd
